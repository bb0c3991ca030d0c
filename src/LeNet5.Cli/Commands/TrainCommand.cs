using System.CommandLine;
using System.Diagnostics;
using LeNet5.Core.Layers;
using LeNet5.Core.Networks;
using LeNet5.Core.Training;

namespace LeNet5.Cli.Commands;

internal static class TrainCommand
{
    public static Command Create(string[] rawArgs)
    {
        var arch = new Option<string>("--arch") { Description = "architecture", DefaultValueFactory = _ => Architecture.LeNet5 };
        arch.AcceptOnlyFromAmong([.. Architecture.Names]);
        var output = new Option<string>("--output") { Description = "output layer: rbf (the paper's) or softmax", DefaultValueFactory = _ => "rbf" };
        output.AcceptOnlyFromAmong("rbf", "softmax");
        var criterion = new Option<string>("--criterion") { Description = "RBF loss: map (paper eq. 9) or mse (eq. 8)", DefaultValueFactory = _ => "map" };
        criterion.AcceptOnlyFromAmong("map", "mse");
        var pooling = new Option<string>("--pooling") { Description = "S2/S4 pooling for lenet5", DefaultValueFactory = _ => "average" };
        pooling.AcceptOnlyFromAmong("average", "max", "subsampling");
        var defaults = new TrainingOptions();
        var epochs = new Option<int>("--epochs") { Description = "passes over the training set", DefaultValueFactory = _ => defaults.Epochs };
        var batch = new Option<int>("--batch") { Description = "mini-batch size", DefaultValueFactory = _ => defaults.BatchSize };
        var momentum = new Option<float>("--momentum") { Description = "momentum", DefaultValueFactory = _ => defaults.Momentum };
        var sdlm = new Option<string>("--sdlm") { Description = "per-parameter SDLM learning rates", DefaultValueFactory = _ => "on" };
        sdlm.AcceptOnlyFromAmong("on", "off");
        var schedule = new Option<string>("--schedule") { Description = "global epsilon per epoch as FROM:EPS,... (default: the paper's)", DefaultValueFactory = _ => defaults.Schedule };
        var mu = new Option<float>("--mu") { Description = "SDLM's mu: eta = epsilon / (mu + h)", DefaultValueFactory = _ => defaults.Mu };
        var lrScale = new Option<float>("--lr-scale") { Description = "multiplies the schedule's epsilon", DefaultValueFactory = _ => defaults.LearningRateScale };
        var augment = new Option<bool>("--augment") { Description = "random affine distortions of the training images" };
        var seed = new Option<int>("--seed") { Description = "random seed", DefaultValueFactory = _ => defaults.Seed };
        var threads = CommonOptions.Threads();
        var limit = new Option<int?>("--train-limit") { Description = "train on the first N images only" };
        var outPath = new Option<string>("--out") { Description = "where to write the model (.safetensors)", Required = true };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "checkpoint file written after every epoch (default: OUT.ckpt)" };
        var resume = new Option<bool>("--resume") { Description = "continue from the checkpoint if it exists" };
        var data = CommonOptions.Data();

        var command = new Command("train", "Train a network on MNIST and save it.")
        {
            arch, output, criterion, pooling, epochs, batch, momentum, sdlm, mu, schedule, lrScale, augment, seed, threads, limit, outPath, checkpoint, resume, data,
        };
        command.SetAction(parse => CommonOptions.Guard(() =>
        {
            var architecture = new Architecture(parse.GetValue(arch)!,
                Tokens.Parse<PoolingKind>(parse.GetValue(pooling)!),
                Tokens.Parse<OutputKind>(parse.GetValue(output)!),
                Tokens.Parse<RbfCriterion>(parse.GetValue(criterion)!));
            var options = new TrainingOptions
            {
                Epochs = parse.GetValue(epochs),
                BatchSize = parse.GetValue(batch),
                Momentum = parse.GetValue(momentum),
                Sdlm = parse.GetValue(sdlm) == "on",
                Mu = parse.GetValue(mu),
                Schedule = parse.GetValue(schedule)!,
                LearningRateScale = parse.GetValue(lrScale),
                Augment = parse.GetValue(augment),
                Seed = parse.GetValue(seed),
                Threads = parse.GetValue(threads),
                TrainLimit = parse.GetValue(limit),
            };
            var problems = options.Validate();
            if (problems.Count > 0)
            {
                foreach (var (field, message) in problems) Console.Error.WriteLine($"error: {message}");
                return 1;
            }
            var dataset = CommonOptions.LoadData(parse.GetValue(data));
            var modelPath = parse.GetValue(outPath)!;
            var checkpointPath = parse.GetValue(checkpoint) ?? modelPath + ".ckpt";
            var commandLine = "lenet5 " + string.Join(' ', rawArgs.Select(a => a.Contains(' ') ? $"\"{a}\"" : a));

            Trainer trainer;
            if (parse.GetValue(resume) && File.Exists(checkpointPath))
            {
                trainer = Trainer.Resume(checkpointPath, dataset, options.Epochs, options.Threads);
                Console.WriteLine($"resuming {trainer.Architecture} from {checkpointPath} after epoch {trainer.CompletedEpochs}");
            }
            else
            {
                trainer = new Trainer(architecture, options, dataset);
            }
            using var _ = trainer;
            Console.WriteLine($"training {trainer.Architecture}: {trainer.Network.ParameterCount:N0} parameters, " +
                              $"{options.TrainLimit ?? dataset.Train.Count} images, batch {options.BatchSize}, {options.Threads} threads");
            using var cancel = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
            var bar = new ProgressBar("train");
            trainer.BatchCompleted = p => bar.Report((double)p.Batch / p.Batches, $"epoch {p.Epoch} loss {p.Loss:0.0000} {p.ImagesPerSecond:N0} img/s");
            trainer.EpochCompleted = m =>
            {
                bar.Clear();
                Console.WriteLine($"epoch {m.Epoch,3}/{trainer.Options.Epochs}  train-error {m.TrainError * 100,6:0.00}%  test-error {m.TestError * 100,6:0.00}%  " +
                                  $"loss {m.Loss,8:0.0000}  {m.ImagesPerSecond,8:N0} img/s  {m.Seconds,6:0.0} s");
                trainer.SaveCheckpoint(checkpointPath, commandLine);
            };
            var clock = Stopwatch.StartNew();
            trainer.Run(cancel.Token);
            var model = trainer.ToModel(commandLine);
            model.Save(modelPath);
            File.Delete(checkpointPath);
            Console.WriteLine($"saved {modelPath} ({new FileInfo(modelPath).Length:N0} bytes) after {clock.Elapsed.TotalSeconds:0.0} s");
            Console.WriteLine($"accuracy {model.TestAccuracy:0.0000} on {dataset.Test.Count} test images");
            return 0;
        }));
        return command;
    }
}
