using System.CommandLine;
using System.Globalization;
using LeNet5.Core.Models;

namespace LeNet5.Cli.Commands;

internal static class ModelsCommand
{
    public static Command Create()
    {
        var command = new Command("models",
            "List the shipped models, the names --model takes: name, accuracy on the 10,000 MNIST test images (from the model file's metadata), architecture; " +
            $"{ShippedModels.DefaultName} is the default.");
        command.SetAction(_ => CommonOptions.Guard(() =>
        {
            var directory = ShippedModels.Directory()
                ?? throw new FileNotFoundException($"no shipped models in {string.Join(" or ", ShippedModels.SearchedDirectories())}.");
            var models = ShippedModels.List(directory);
            int width = models.Max(m => m.Name.Length);
            foreach (var shipped in models)
            {
                var model = ModelFile.Load(shipped.Path);
                var accuracy = model.TestAccuracy is { } a ? a.ToString("0.00%", CultureInfo.InvariantCulture) : "?";
                var isDefault = shipped.Name == ShippedModels.DefaultName ? "  (default)" : "";
                Console.WriteLine($"{shipped.Name.PadRight(width)}  {accuracy,7}  {model.Architecture}{isDefault}");
            }
            Console.Error.WriteLine($"in {directory}");
            return 0;
        }));
        return command;
    }
}
