using System.CommandLine;
using LeNet5.Core.Data;
using LeNet5.Core.Models;
using LeNet5.Core.Training;

namespace LeNet5.Cli.Commands;

internal static class EvaluateCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var data = CommonOptions.Data();
        var threads = CommonOptions.Threads();
        var set = new Option<string>("--set")
        {
            Description = "which test set: mnist (the 10,000 test images), thick-pen or thin-pen (the same digits dilated by a disk of radius 2 or eroded by 1, re-laid out as MNIST does), "
                          + "flag-ones (1,000 drawn 1s with a flag and a base), fat-marker (the test digits as a blobby felt-tip), continental (1,000 fat 1s with flags and bases and 7s with crossbars), "
                          + "slant (the test digits sheared by -25 to +25 degrees)",
            DefaultValueFactory = _ => PenTest.Mnist,
        };
        set.AcceptOnlyFromAmong([.. PenTest.Sets]);
        var committee = new Option<string[]>("--committee")
        {
            Description = "more models (shipped names or paths, comma-separated) that answer with --model as a committee: the mean of their calibrated probabilities, as the web app's Models:Committee",
            CustomParser = r => [.. r.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))],
        };
        var command = new Command("evaluate", "Measure a model (or a committee) on the 10,000 MNIST test images (or another test set) and print its confusion matrix.") { model, set, data, threads, committee };
        command.SetAction(parse => CommonOptions.Guard(() =>
        {
            var (m, modelLabel, _) = CommonOptions.LoadModel(parse, model);
            var name = parse.GetValue(set)!;
            var split = PenTest.Build(name, CommonOptions.LoadData(parse.GetValue(data)).Test);
            var bar = new ProgressBar("evaluate");
            var gate = new Lock();
            var others = parse.GetValue(committee) ?? [];
            var members = others.Select(o => ModelFile.Load(ShippedModels.Resolve(o))).Prepend(m).ToArray();
            if (others.Length > 0) modelLabel = string.Join(" + ", others.Prepend(modelLabel));
            var result = Evaluator.Evaluate(members, split, parse.GetValue(threads), progress: done =>
            {
                lock (gate) bar.Report((double)done / split.Count, $"{done}/{split.Count} images");
            });
            bar.Clear();
            Console.WriteLine(others.Length > 0 ? $"committee {modelLabel}: the mean of {members.Length} models' calibrated probabilities" : $"model {modelLabel}: {m.Architecture}");
            Console.WriteLine("confusion matrix (rows: true digit, columns: predicted)");
            Console.WriteLine("      " + string.Concat(Enumerable.Range(0, 10).Select(d => $"{d,6}")));
            for (int t = 0; t < 10; t++)
                Console.WriteLine($"{t,6}" + string.Concat(Enumerable.Range(0, 10).Select(p => $"{result.Confusion[t, p],6}")));
            Console.WriteLine($"errors {result.Errors} of {result.Count}");
            Console.WriteLine($"accuracy {result.Accuracy:0.0000} on {result.Count} {(name == PenTest.Mnist ? "test" : name)} images");
            return 0;
        }));
        return command;
    }
}
