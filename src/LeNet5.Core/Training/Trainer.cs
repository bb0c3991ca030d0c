using System.Diagnostics;
using System.Numerics.Tensors;
using LeNet5.Core.Data;
using LeNet5.Core.Networks;

namespace LeNet5.Core.Training;

/// <summary>Training blew up (the loss is no longer a finite number).</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);

/// <summary>
/// The training loop: epochs of mini-batch SGD with momentum, each batch's gradient taken by a team
/// of workers (<see cref="BatchWorkers"/>), each parameter stepped at its own SDLM rate
/// (<see cref="SdlmRates"/>), and the test set evaluated after every epoch.
/// <see cref="Checkpoint"/> saves and resumes a run; <see cref="ModelCard"/> turns it into a model.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly MnistSplit _train;
    private readonly MnistSplit _test;
    private readonly MnistSplit? _correctionsTest;
    private readonly BatchWorkers _workers;
    private readonly SdlmRates _rates;

    /// <param name="parameters">Where to start: another model's parameters to fine-tune, a checkpoint's, or null for a fresh initialisation.</param>
    /// <param name="corrections">Samples beside MNIST, to train on and to report the error of.</param>
    public Trainer(Architecture architecture, TrainingOptions options, MnistDataset data, float[]? parameters = null, CorrectionSamples? corrections = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException(string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")));
        Architecture = architecture;
        Options = options;
        Network = architecture.Build();
        Corrections = corrections ?? CorrectionSamples.None;
        if (Corrections.Weight is < 1 or > CorrectionSamples.MaxWeight) throw new ArgumentException($"the corrections' weight must be between 1 and {CorrectionSamples.MaxWeight}");
        var mnistTrain = options.TrainLimit is int limit ? data.Train.Take(limit) : data.Train;
        // the model's own steps, applied once: every epoch's distortions start from the normalised digits
        var normalisation = options.Normalisation;
        _train = normalisation.Apply(Corrections.Train is { } more ? mnistTrain.Append(more, Corrections.Weight) : mnistTrain);
        _test = normalisation.Apply(data.Test);
        _correctionsTest = Corrections.Test is { } correctionsTest ? normalisation.Apply(correctionsTest) : null;
        if (parameters is not null && parameters.Length != Network.ParameterCount)
            throw new ArgumentException($"{parameters.Length} parameters do not fit {architecture} ({Network.ParameterCount})");
        Parameters = parameters ?? Network.InitializeParameters(options.Seed);
        Velocity = new float[Network.ParameterCount];
        _workers = new BatchWorkers(Network, _train, options);
        _rates = new SdlmRates(Network, options);
    }

    public void Dispose() => _workers.Dispose();

    public Architecture Architecture { get; }
    public TrainingOptions Options { get; }
    public CorrectionSamples Corrections { get; }
    public Network Network { get; }
    public float[] Parameters { get; }
    public float[] Velocity { get; }
    public int CompletedEpochs { get; internal set; }
    public List<EpochMetrics> History { get; } = [];
    public EvaluationResult? LastEvaluation { get; private set; }

    /// <summary>The last evaluation on <see cref="CorrectionSamples.Test"/>; null when the run has no corrections to test on.</summary>
    public EvaluationResult? LastCorrectionsEvaluation { get; private set; }

    /// <summary>Called every few batches (about ten times a second at most is up to the caller).</summary>
    public Action<BatchProgress>? BatchCompleted { get; set; }
    public Action<EpochMetrics>? EpochCompleted { get; set; }

    /// <summary>Mean SDLM learning rate per trainable layer for the current epoch.</summary>
    public IReadOnlyDictionary<string, double> LayerLearningRates() => _rates.LayerMeans();

    /// <summary>Trains the remaining epochs. Throws <see cref="OperationCanceledException"/> between batches when canceled.</summary>
    public void Run(CancellationToken cancellation = default)
    {
        while (CompletedEpochs < Options.Epochs)
        {
            RunEpoch(CompletedEpochs + 1, cancellation);
        }
    }

    public EpochMetrics RunEpoch(int epoch, CancellationToken cancellation = default)
    {
        int n = _train.Count;
        var order = Permutation(n, Options.Seed, epoch);
        float epsilon = Epsilon(epoch);
        if (!Options.Sdlm) PrepareLearningRates(order, epoch);

        var clock = Stopwatch.StartNew();
        double lossSum = 0;
        long errorSum = 0;
        int batches = (n + Options.BatchSize - 1) / Options.BatchSize;
        var lastReport = Stopwatch.StartNew();
        for (int b = 0; b < batches; b++)
        {
            cancellation.ThrowIfCancellationRequested();
            int start = b * Options.BatchSize, count = Math.Min(Options.BatchSize, n - start);
            if (Options.Sdlm && (b == 0 || start / Options.SdlmInterval != (start - Options.BatchSize) / Options.SdlmInterval))
                _rates.Estimate(_workers, Parameters, order, start, epsilon, epoch);
            TrainBatch(order, start, count, epoch);
            for (int t = 0; t < _workers.Threads; t++)
            {
                lossSum += _workers.Losses[t];
                errorSum += _workers.Errors[t];
            }
            if (!double.IsFinite(lossSum))
                throw new TrainingDivergedException(
                    $"the loss became {lossSum} in epoch {epoch}, batch {b + 1}: the learning rates are too large for this network; lower the learning-rate scale (now {Options.LearningRateScale}).");
            if (BatchCompleted is { } report && (lastReport.ElapsedMilliseconds >= 100 || b == batches - 1))
            {
                lastReport.Restart();
                report(new BatchProgress(epoch, b + 1, batches, lossSum / (start + count), (start + count) / clock.Elapsed.TotalSeconds));
            }
        }
        // a cancel seen at the last batch's report still stops the epoch short of being counted
        cancellation.ThrowIfCancellationRequested();
        double seconds = clock.Elapsed.TotalSeconds;
        LastEvaluation = Evaluator.Evaluate(Network, Parameters, _test, _workers.Threads, _workers.Workspaces);
        LastCorrectionsEvaluation = _correctionsTest is { Count: > 0 } correctionsTest ? Evaluator.Evaluate(Network, Parameters, correctionsTest, _workers.Threads, _workers.Workspaces) : null;
        var metrics = new EpochMetrics(epoch, (double)errorSum / n, LastEvaluation.ErrorRate, lossSum / n, n / seconds, seconds,
            epsilon, LayerLearningRates(), LastCorrectionsEvaluation?.ErrorRate);
        History.Add(metrics);
        CompletedEpochs = epoch;
        EpochCompleted?.Invoke(metrics);
        return metrics;
    }

    /// <summary>Sets the rates for the start of an epoch (what <see cref="RunEpoch"/> does before its first batch).</summary>
    public void PrepareLearningRates(int[] order, int epoch)
    {
        if (Options.Sdlm) _rates.Estimate(_workers, Parameters, order, 0, Epsilon(epoch), epoch);
        else _rates.Uniform(Epsilon(epoch));
    }

    /// <summary>One step of SGD on the samples at positions [start, start + count) of <paramref name="order"/>. Allocates nothing.</summary>
    public void TrainBatch(int[] order, int start, int count, int epoch)
    {
        _workers.Gradient(Parameters, order, start, count, epoch);
        // g = (1/B) sum_t g_t  (in worker order);  v = momentum v + g;  w -= eta (.) v
        _workers.Step(Parameters, Velocity, _rates.Values, Options.Momentum, count);
    }

    /// <summary>The global epsilon of an epoch: the schedule's, times the learning-rate scale.</summary>
    private float Epsilon(int epoch) => Options.ParsedSchedule.At(epoch) * Options.LearningRateScale;

    /// <summary>A shuffle of 0..n-1 that depends only on the seed and the epoch.</summary>
    public static int[] Permutation(int n, int seed, int epoch)
    {
        var order = Enumerable.Range(0, n).ToArray();
        // not HashCode.Combine: it is salted per process, and a run must repeat across processes
        new Random((int)(Distortion.SampleState(seed, epoch, -1) & int.MaxValue)).Shuffle(order);
        return order;
    }
}
