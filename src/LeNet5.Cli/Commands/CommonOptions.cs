using System.CommandLine;
using System.Text.Json;
using LeNet5.Core.Data;
using LeNet5.Core.Models;

namespace LeNet5.Cli.Commands;

internal static class CommonOptions
{
    /// <summary>JSON as the web API writes it (camelCase), for what the CLI prints as JSON.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Option<string?> Data() => new("--data")
    {
        Description = $"MNIST directory (default: ${MnistLocation.EnvironmentVariable}, else data/mnist in the repository, "
                      + $"else {MnistLocation.UserSubdirectory} in your data folder: ${MnistLocation.XdgDataHome} or ~/.local/share)",
    };

    /// <summary>--model: a shipped model's name or a model file; an unknown name is a usage error.</summary>
    public static Option<string?> Model() => new("--model")
    {
        Description = $"a shipped model's name (see `lenet5 models`) or a model file ({ShippedModels.FileExtension}); default: {ShippedModels.DefaultName}",
        Validators =
        {
            r =>
            {
                try
                {
                    ShippedModels.Resolve(r.GetValueOrDefault<string?>());
                }
                catch (ArgumentException ex)
                {
                    r.AddError(ex.Message);
                }
            },
        },
    };

    /// <summary>The model --model names (the default model when it names none), its file, and how to call it in output: the name or path as given.</summary>
    public static (LeNet5Model Model, string Label, string File) LoadModel(ParseResult parse, Option<string?> option)
    {
        var argument = parse.GetValue(option);
        var file = ShippedModels.Resolve(argument);
        return (ModelFile.Load(file), argument ?? ShippedModels.DefaultName, file);
    }

    public static Option<int> Threads() => new("--threads")
    {
        Description = "worker threads (default: all cores)",
        DefaultValueFactory = _ => Environment.ProcessorCount,
        Validators = { r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--threads must be at least 1"); } },
    };

    /// <summary>Loads MNIST from the chosen directory, fetching it first when it is missing.</summary>
    public static MnistDataset LoadData(string? directory) => MnistDataset.Load(EnsureData(directory));

    /// <summary>
    /// Makes sure the verified files are in the folder --data names (else the default one, see
    /// <see cref="MnistLocation"/>), fetching them when missing; returns that folder. A failure says which folder and why that one.
    /// </summary>
    public static string EnsureData(string? requested)
    {
        var folder = MnistLocation.Choose(requested);
        var fetcher = new MnistFetcher(folder.Directory);
        try
        {
            fetcher.EnsureAvailable(msg => Console.Error.WriteLine(msg));
        }
        catch (MnistFetchException ex)
        {
            throw new MnistFetchException($"{ex.Message} (MNIST folder: {folder.Directory}, from {folder.Reason}; --data DIR names another)", ex);
        }
        return fetcher.DataDirectory;
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
