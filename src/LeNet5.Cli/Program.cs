using System.CommandLine;
using LeNet5.Cli.Commands;

// lenet5: the command-line face of the engine (like the seed's train.py and test.py).
var root = new RootCommand("LeNet-5 from scratch: fetch MNIST, train, evaluate, predict, export to ONNX and benchmark.")
{
    FetchDataCommand.Create(),
    TrainCommand.Create(args),
    EvaluateCommand.Create(),
    PredictCommand.Create(),
    ExportCommand.Create(),
    BenchCommand.Create(),
};
return root.Parse(args).Invoke();
