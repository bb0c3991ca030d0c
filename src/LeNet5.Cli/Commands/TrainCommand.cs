using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using LeNet5.Core.Models;
using LeNet5.Core.Networks;
using LeNet5.Core.Training;

namespace LeNet5.Cli.Commands;

internal static class TrainCommand
{
    public static Command Create(string[] rawArgs)
    {
        var settingOptions = TrainingSettingInfo.All.Select(SettingOption).ToList();
        var threads = CommonOptions.Threads();
        var outPath = new Option<string?>("--out") { Description = "where to write the model (.safetensors); required unless --dry-run" };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "checkpoint file written after every epoch (default: OUT.ckpt)" };
        var resume = new Option<bool>("--resume") { Description = "continue from the checkpoint if it exists" };
        var dryRun = new Option<bool>("--dry-run") { Description = "print the settings it would train with, as JSON, and exit" };
        var data = CommonOptions.Data();

        var command = new Command("train", "Train a network on MNIST and save it. Every setting left out comes from the network's recipe, the one the admin page uses.");
        foreach (var (_, option, _) in settingOptions) command.Options.Add(option);
        foreach (var option in new Option[] { threads, outPath, checkpoint, resume, dryRun, data }) command.Options.Add(option);
        command.Validators.Add(result =>
        {
            if (result.GetValue(outPath) is null && !result.GetValue(dryRun)) result.AddError("Option '--out' is required.");
        });
        command.SetAction(parse => CommonOptions.Guard(() =>
        {
            var settings = new TrainingSettings();
            foreach (var (setting, _, read) in settingOptions) settings = setting.With(settings, read(parse));
            var (architecture, options, errors) = settings.Resolve(parse.GetValue(threads));
            if (architecture is null || options is null)
            {
                foreach (var message in errors.Values) Console.Error.WriteLine($"error: {message}");
                return 1;
            }
            if (parse.GetValue(dryRun))
            {
                Console.WriteLine(JsonSerializer.Serialize(TrainingSettings.Of(architecture, options), CommonOptions.Json));
                return 0;
            }
            var modelPath = parse.GetValue(outPath)!;
            return Train(architecture, options, modelPath, parse.GetValue(checkpoint) ?? modelPath + ".ckpt", parse.GetValue(resume), parse.GetValue(data), rawArgs);
        }));
        return command;
    }

    /// <summary>
    /// A setting's option, and how to read what was given as the setting's value (null: not given, the
    /// recipe's). A flag can only turn its setting on; a switch says on or off.
    /// </summary>
    private static (TrainingSettingInfo Setting, Option Option, Func<ParseResult, object?> Read) SettingOption(TrainingSettingInfo setting)
    {
        var fallback = setting.Kind == SettingKind.Choice ? setting.ValueIn(Lenet5Recipe) : setting.Unset ?? "the network's recipe";
        var description = $"{setting.Description.TrimEnd('.')} (default: {fallback})";
        switch (setting.Kind)
        {
            case SettingKind.Choice:
                var choice = new Option<string?>(setting.Flag) { Description = description };
                choice.AcceptOnlyFromAmong([.. setting.Choices]);
                return (setting, choice, parse => parse.GetValue(choice));
            case SettingKind.Switch:
                var onOff = new Option<string?>(setting.Flag) { Description = description };
                onOff.AcceptOnlyFromAmong(On, Off);
                return (setting, onOff, parse => parse.GetValue(onOff) is { } word ? word == On : null);
            case SettingKind.Flag:
                var flag = new Option<bool>(setting.Flag) { Description = description };
                return (setting, flag, parse => parse.GetValue(flag) ? true : null);
            case SettingKind.Whole:
                var whole = new Option<int?>(setting.Flag) { Description = description };
                return (setting, whole, parse => parse.GetValue(whole));
            case SettingKind.Real:
                var real = new Option<float?>(setting.Flag) { Description = description };
                return (setting, real, parse => parse.GetValue(real));
            default:
                var text = new Option<string?>(setting.Flag) { Description = description };
                return (setting, text, parse => parse.GetValue(text));
        }
    }

    private const string On = "on", Off = "off";

    private static readonly TrainingSettings Lenet5Recipe = TrainingSettings.RecipeOf(new Architecture(Architecture.LeNet5));

    private static int Train(Architecture architecture, TrainingOptions options, string modelPath, string checkpointPath, bool resume, string? dataDirectory, string[] rawArgs)
    {
        var dataset = CommonOptions.LoadData(dataDirectory);
        var commandLine = "lenet5 " + string.Join(' ', rawArgs.Select(a => a.Contains(' ') ? $"\"{a}\"" : a));
        using var trainer = CheckpointedTraining.Open(checkpointPath, resume, architecture, options, dataset);
        if (trainer.CompletedEpochs > 0)
            Console.WriteLine($"resuming {trainer.Architecture} from {checkpointPath} after epoch {trainer.CompletedEpochs}");
        Console.WriteLine($"training {trainer.Architecture}: {trainer.Network.ParameterCount:N0} parameters, " +
                          $"{options.TrainLimit ?? dataset.Train.Count} images, batch {trainer.Options.BatchSize}, {options.Threads} threads");
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
        var bar = new ProgressBar("train");
        trainer.BatchCompleted = p => bar.Report((double)p.Batch / p.Batches, $"epoch {p.Epoch} loss {p.Loss:0.0000} {p.ImagesPerSecond:N0} img/s");
        var clock = Stopwatch.StartNew();
        CheckpointedTraining.Run(trainer, checkpointPath, commandLine, m =>
        {
            bar.Clear();
            Console.WriteLine($"epoch {m.Epoch,3}/{trainer.Options.Epochs}  train-error {m.TrainError * 100,6:0.00}%  test-error {m.TestError * 100,6:0.00}%  " +
                              $"loss {m.Loss,8:0.0000}  {m.ImagesPerSecond,8:N0} img/s  {m.Seconds,6:0.0} s");
        }, cancel.Token);
        var model = CheckpointedTraining.SaveModel(trainer, commandLine, modelPath);
        File.Delete(checkpointPath);
        Console.WriteLine($"saved {modelPath} ({new FileInfo(modelPath).Length:N0} bytes) after {clock.Elapsed.TotalSeconds:0.0} s");
        Console.WriteLine($"accuracy {model.TestAccuracy:0.0000} on {dataset.Test.Count} test images");
        return 0;
    }
}
