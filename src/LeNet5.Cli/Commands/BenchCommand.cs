using System.CommandLine;

namespace LeNet5.Cli.Commands;

internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Measure training throughput and inference latency (issue 4).");
        command.SetAction(_ =>
        {
            Console.Error.WriteLine("error: bench is not built yet (issue 4)");
            return 2;
        });
        return command;
    }
}
