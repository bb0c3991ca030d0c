using System.CommandLine;
using LeNet5.Cli.Commands;

// lenet5: the command-line face of the engine (like the seed's train.py and test.py).
var root = new RootCommand("LeNet-5 from scratch: fetch MNIST, train, evaluate, predict, export to ONNX and benchmark. " +
                           "Exit codes: 0 done, 1 failed (for predict: some image could not be read), 2 usage error.")
{
    FetchDataCommand.Create(),
    TrainCommand.Create(args),
    EvaluateCommand.Create(),
    PredictCommand.Create(),
    ModelsCommand.Create(),
    ExportCommand.Create(),
    BenchCommand.Create(),
};
var parse = root.Parse(args);
int exitCode = parse.Invoke();
// System.CommandLine answers a usage error with 1; scripts tell it from a failed run by 2
return parse.Errors.Count > 0 ? 2 : exitCode;
