using System.CommandLine;
using System.Text.Json;
using LeNet5.Core.Data;

namespace LeNet5.Cli.Commands;

internal static class CommonOptions
{
    /// <summary>JSON as the web API writes it (camelCase), for what the CLI prints as JSON.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Option<string?> Data() => new("--data")
    {
        Description = $"MNIST directory (default: ${MnistLocation.EnvironmentVariable}, else data/mnist under the repository)",
    };

    public static Option<int> Threads() => new("--threads")
    {
        Description = "worker threads (default: all cores)",
        DefaultValueFactory = _ => Environment.ProcessorCount,
        Validators = { r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--threads must be at least 1"); } },
    };

    /// <summary>Loads MNIST from the chosen directory, fetching it first when it is missing.</summary>
    public static MnistDataset LoadData(string? directory)
    {
        var fetcher = new MnistFetcher(directory ?? MnistLocation.DefaultDirectory());
        fetcher.EnsureAvailable(msg => Console.Error.WriteLine(msg));
        return MnistDataset.Load(fetcher.DataDirectory);
    }

    /// <summary>Runs a verb, turning the engine's expected failures into one clear line and exit code 1.</summary>
    public static int Guard(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception ex) when (ex is MnistFetchException or IdxFormatException or Core.Models.ModelFormatException
                                       or FileNotFoundException or DirectoryNotFoundException or ArgumentException or FormatException
                                       or Core.Training.TrainingDivergedException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("canceled");
            return 130;
        }
    }
}
