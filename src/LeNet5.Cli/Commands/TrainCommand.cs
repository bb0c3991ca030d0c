using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using LeNet5.Core.Models;
using LeNet5.Core.Networks;
using LeNet5.Core.Training;

namespace LeNet5.Cli.Commands;

internal static class TrainCommand
{
    private const string FromRecipe = "default: the network's recipe";

    public static Command Create(string[] rawArgs)
    {
        var plain = new Architecture(Architecture.LeNet5);
        var arch = Choice("--arch", "architecture", Architecture.Names, plain.Name);
        var output = Choice("--output", "output layer: the paper's RBF units or a linear layer with softmax", Architecture.Outputs, Tokens.Of(plain.Output));
        var criterion = Choice("--criterion", "RBF loss: map (paper eq. 9) or mse (eq. 8)", Architecture.Criteria, Tokens.Of(plain.Criterion));
        var pooling = Choice("--pooling", "S2/S4 pooling for lenet5", Architecture.Poolings, Tokens.Of(plain.Pooling));
        var epochs = new Option<int?>("--epochs") { Description = $"passes over the training set ({FromRecipe})" };
        var batch = new Option<int?>("--batch") { Description = $"mini-batch size, at most {TrainingLimits.MaxBatchSize} ({FromRecipe})" };
        var momentum = new Option<float?>("--momentum") { Description = $"momentum ({FromRecipe})" };
        var sdlm = new Option<string?>("--sdlm") { Description = "per-parameter SDLM learning rates: on or off (default: on)" };
        sdlm.AcceptOnlyFromAmong("on", "off");
        var schedule = new Option<string?>("--schedule") { Description = $"global epsilon per epoch as FROM:EPS,... ({FromRecipe}: the paper's for lenet5)" };
        var mu = new Option<float?>("--mu") { Description = $"SDLM's mu: eta = epsilon / (mu + h) ({FromRecipe})" };
        var sdlmSamples = new Option<int?>("--sdlm-samples") { Description = $"images SDLM estimates the curvature on, every {TrainingOptions.DefaultSdlmInterval:N0} training images ({FromRecipe})" };
        var lrScale = new Option<float?>("--lr-scale") { Description = $"multiplies the schedule's epsilon ({FromRecipe})" };
        var augment = new Option<bool>("--augment") { Description = "random affine distortions of the training images" };
        var elastic = new Option<bool>("--elastic") { Description = $"random elastic distortions of the training images (Simard 2003; sigma {ElasticDistortion.Default.Sigma}, alpha {ElasticDistortion.Default.Alpha}), with or without --augment" };
        var strokeWidth = new Option<bool>("--stroke-width") { Description = "thicker and thinner pens: each training image dilated or eroded at random (Morpho-MNIST)" };
        var seed = new Option<int?>("--seed") { Description = $"random seed ({FromRecipe})" };
        var threads = CommonOptions.Threads();
        var limit = new Option<int?>("--train-limit") { Description = "train on the first N images only" };
        var outPath = new Option<string?>("--out") { Description = "where to write the model (.safetensors); required unless --dry-run" };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "checkpoint file written after every epoch (default: OUT.ckpt)" };
        var resume = new Option<bool>("--resume") { Description = "continue from the checkpoint if it exists" };
        var dryRun = new Option<bool>("--dry-run") { Description = "print the settings it would train with, as JSON, and exit" };
        var data = CommonOptions.Data();

        var command = new Command("train", "Train a network on MNIST and save it. Every setting left out comes from the network's recipe, the one the admin page uses.")
        {
            arch, output, criterion, pooling, epochs, batch, momentum, sdlm, mu, sdlmSamples, schedule, lrScale, augment, elastic, strokeWidth, seed, threads, limit, outPath, checkpoint, resume, dryRun, data,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(outPath) is null && !result.GetValue(dryRun)) result.AddError("Option '--out' is required.");
        });
        command.SetAction(parse => CommonOptions.Guard(() =>
        {
            var settings = new TrainingSettings
            {
                Architecture = parse.GetValue(arch),
                Output = parse.GetValue(output),
                Pooling = parse.GetValue(pooling),
                Criterion = parse.GetValue(criterion),
                Epochs = parse.GetValue(epochs),
                BatchSize = parse.GetValue(batch),
                Momentum = parse.GetValue(momentum),
                Sdlm = parse.GetValue(sdlm) is { } s ? s == "on" : null,
                Mu = parse.GetValue(mu),
                SdlmSamples = parse.GetValue(sdlmSamples),
                Schedule = parse.GetValue(schedule),
                LearningRateScale = parse.GetValue(lrScale),
                Augment = parse.GetValue(augment) ? true : null,
                Elastic = parse.GetValue(elastic) ? true : null,
                StrokeWidth = parse.GetValue(strokeWidth) ? true : null,
                TrainLimit = parse.GetValue(limit),
                Seed = parse.GetValue(seed),
            };
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

    private static Option<string?> Choice(string name, string description, IReadOnlyList<string> words, string fallback)
    {
        var option = new Option<string?>(name) { Description = $"{description} (default: {fallback})" };
        option.AcceptOnlyFromAmong([.. words]);
        return option;
    }

    private static int Train(Architecture architecture, TrainingOptions options, string modelPath, string checkpointPath, bool resume, string? dataDirectory, string[] rawArgs)
    {
        var dataset = CommonOptions.LoadData(dataDirectory);
        var commandLine = "lenet5 " + string.Join(' ', rawArgs.Select(a => a.Contains(' ') ? $"\"{a}\"" : a));
        using var trainer = resume && File.Exists(checkpointPath)
            ? Checkpoint.Resume(checkpointPath, dataset, options.Epochs, options.Threads)
            : new Trainer(architecture, options, dataset);
        if (trainer.CompletedEpochs > 0)
            Console.WriteLine($"resuming {trainer.Architecture} from {checkpointPath} after epoch {trainer.CompletedEpochs}");
        Console.WriteLine($"training {trainer.Architecture}: {trainer.Network.ParameterCount:N0} parameters, " +
                          $"{options.TrainLimit ?? dataset.Train.Count} images, batch {trainer.Options.BatchSize}, {options.Threads} threads");
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
        var bar = new ProgressBar("train");
        trainer.BatchCompleted = p => bar.Report((double)p.Batch / p.Batches, $"epoch {p.Epoch} loss {p.Loss:0.0000} {p.ImagesPerSecond:N0} img/s");
        trainer.EpochCompleted = m =>
        {
            bar.Clear();
            Console.WriteLine($"epoch {m.Epoch,3}/{trainer.Options.Epochs}  train-error {m.TrainError * 100,6:0.00}%  test-error {m.TestError * 100,6:0.00}%  " +
                              $"loss {m.Loss,8:0.0000}  {m.ImagesPerSecond,8:N0} img/s  {m.Seconds,6:0.0} s");
            Checkpoint.Save(trainer, checkpointPath, commandLine);
        };
        var clock = Stopwatch.StartNew();
        trainer.Run(cancel.Token);
        var model = ModelCard.From(trainer, commandLine);
        ModelFile.Save(model, modelPath);
        File.Delete(checkpointPath);
        Console.WriteLine($"saved {modelPath} ({new FileInfo(modelPath).Length:N0} bytes) after {clock.Elapsed.TotalSeconds:0.0} s");
        Console.WriteLine($"accuracy {model.TestAccuracy:0.0000} on {dataset.Test.Count} test images");
        return 0;
    }
}
