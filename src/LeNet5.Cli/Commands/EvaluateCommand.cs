using System.CommandLine;
using LeNet5.Core.Models;
using LeNet5.Core.Training;

namespace LeNet5.Cli.Commands;

internal static class EvaluateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "model file (.safetensors)", Required = true };
        var data = CommonOptions.Data();
        var threads = CommonOptions.Threads();
        var command = new Command("evaluate", "Measure a model on the 10,000 MNIST test images and print its confusion matrix.") { model, data, threads };
        command.SetAction(parse => CommonOptions.Guard(() =>
        {
            var m = ModelFile.Load(parse.GetValue(model)!);
            var dataset = CommonOptions.LoadData(parse.GetValue(data));
            var bar = new ProgressBar("evaluate");
            var gate = new Lock();
            var result = Evaluator.Evaluate(m.Network, m.Parameters, dataset.Test, parse.GetValue(threads), progress: done =>
            {
                lock (gate) bar.Report((double)done / dataset.Test.Count, $"{done}/{dataset.Test.Count} images");
            });
            bar.Clear();
            Console.WriteLine($"model {parse.GetValue(model)}: {m.Architecture}");
            Console.WriteLine("confusion matrix (rows: true digit, columns: predicted)");
            Console.WriteLine("      " + string.Concat(Enumerable.Range(0, 10).Select(d => $"{d,6}")));
            for (int t = 0; t < 10; t++)
                Console.WriteLine($"{t,6}" + string.Concat(Enumerable.Range(0, 10).Select(p => $"{result.Confusion[t, p],6}")));
            Console.WriteLine($"errors {result.Errors} of {result.Count}");
            Console.WriteLine($"accuracy {result.Accuracy:0.0000} on {result.Count} test images");
            return 0;
        }));
        return command;
    }
}
