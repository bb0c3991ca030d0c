using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Text.Json;
using LeNet5.Core.Data;
using LeNet5.Core.Layers;
using LeNet5.Core.Models;
using LeNet5.Core.Networks;
using LeNet5.Core.Parallelism;

namespace LeNet5.Core.Training;

/// <summary>Training blew up (the loss is no longer a finite number).</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);

/// <summary>
/// Mini-batch SGD with momentum and per-parameter SDLM learning rates. Each batch is split into one
/// contiguous slice per thread; each thread accumulates its slice's gradient in its own buffer, and
/// the buffers are summed in thread order, so a run is reproducible for a given seed and thread count.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly MnistDataset _data;
    private readonly MnistSplit _train;
    private readonly Workspace[] _workspaces;
    private readonly float[][] _gradients;
    private readonly byte[][] _labels;
    private readonly float[] _learningRates;
    private readonly float[] _step;
    private readonly double[] _loss;
    private readonly int[] _errors;
    private readonly int _threads;
    private readonly Distortion _distortion = Distortion.Default;
    private readonly WorkerPool _pool;
    private readonly Action<int> _trainSlice;
    private readonly Action<int> _curvatureSlice;

    // the batch the workers are on: positions [_batchStart, _batchStart + _batchCount) of _order
    private int[] _order = [];
    private int _batchStart, _batchCount, _epoch;

    public Trainer(Architecture architecture, TrainingOptions options, MnistDataset data, float[]? parameters = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException(string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")));
        Architecture = architecture;
        Options = options;
        Network = architecture.Build();
        _data = data;
        _train = options.TrainLimit is int limit ? data.Train.Take(limit) : data.Train;
        Parameters = parameters ?? Network.InitializeParameters(options.Seed);
        Velocity = new float[Network.ParameterCount];
        _threads = options.Threads;
        int perThread = (options.BatchSize + _threads - 1) / _threads;
        _workspaces = Enumerable.Range(0, _threads).Select(_ => Network.CreateWorkspace(Math.Max(perThread, 128))).ToArray();
        _gradients = Enumerable.Range(0, _threads).Select(_ => new float[Network.ParameterCount]).ToArray();
        _labels = Enumerable.Range(0, _threads).Select(_ => new byte[Math.Max(perThread, 128)]).ToArray();
        _learningRates = new float[Network.ParameterCount];
        _step = new float[Network.ParameterCount];
        _loss = new double[_threads];
        _errors = new int[_threads];
        _pool = new WorkerPool(_threads);
        _trainSlice = TrainSlice;
        _curvatureSlice = CurvatureSlice;
    }

    public void Dispose() => _pool.Dispose();

    public Architecture Architecture { get; }
    public TrainingOptions Options { get; }
    public Network Network { get; }
    public float[] Parameters { get; }
    public float[] Velocity { get; }
    public int CompletedEpochs { get; private set; }
    public List<EpochMetrics> History { get; } = [];
    public EvaluationResult? LastEvaluation { get; private set; }

    /// <summary>Called every few batches (about ten times a second at most is up to the caller).</summary>
    public Action<BatchProgress>? BatchCompleted { get; set; }
    public Action<EpochMetrics>? EpochCompleted { get; set; }

    /// <summary>Mean SDLM learning rate per trainable layer for the current epoch.</summary>
    public IReadOnlyDictionary<string, double> LayerLearningRates()
    {
        var result = new Dictionary<string, double>();
        for (int l = 0; l < Network.Layers.Count; l++)
        {
            var (offset, count) = Network.ParameterRange(l);
            if (count > 0) result[Network.Layers[l].Name] = TensorPrimitives.Sum(_learningRates.AsSpan(offset, count)) / count;
        }
        return result;
    }

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
        float epsilon = Options.ParsedSchedule.At(epoch) * Options.LearningRateScale;
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
                UpdateLearningRates(order, start, epsilon, epoch);
            TrainBatch(order, start, count, epoch);
            for (int t = 0; t < _threads; t++)
            {
                lossSum += _loss[t];
                errorSum += _errors[t];
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
        double seconds = clock.Elapsed.TotalSeconds;
        LastEvaluation = Evaluator.Evaluate(Network, Parameters, _data.Test, _threads, _workspaces);
        var metrics = new EpochMetrics(epoch, (double)errorSum / n, LastEvaluation.ErrorRate, lossSum / n, n / seconds, seconds,
            epsilon, LayerLearningRates());
        History.Add(metrics);
        CompletedEpochs = epoch;
        EpochCompleted?.Invoke(metrics);
        return metrics;
    }

    /// <summary>
    /// eta_k = epsilon / (mu + h_kk) (paper, appendix C), h_kk re-estimated on the next
    /// <see cref="TrainingOptions.SdlmSamples"/> samples of the epoch's order. The paper re-estimates
    /// once a pass; with a step per batch the network changes more between estimates, so we also
    /// re-estimate every <see cref="TrainingOptions.SdlmInterval"/> samples.
    /// </summary>
    /// <summary>Sets the rates for the start of an epoch (what <see cref="RunEpoch"/> does before its first batch).</summary>
    public void PrepareLearningRates(int[] order, int epoch)
    {
        float epsilon = Options.ParsedSchedule.At(epoch) * Options.LearningRateScale;
        if (Options.Sdlm)
        {
            UpdateLearningRates(order, 0, epsilon, epoch);
        }
        else
        {
            // without curvature every parameter gets the rate SDLM would give a unit second derivative
            Array.Fill(_learningRates, epsilon / (Options.Mu + 1f));
            DampWideLayers();
        }
    }

    private void UpdateLearningRates(int[] order, int start, float epsilon, int epoch)
    {
        var h = EstimateCurvature(order, start, Math.Min(Options.SdlmSamples, order.Length), epoch);
        for (int k = 0; k < h.Length; k++) _learningRates[k] = epsilon / (Options.Mu + h[k]);
        DampWideLayers();
    }

    /// <summary>Fan-in above which a layer's SDLM rates are divided by fan-in / this.</summary>
    public const int CorrelatedFanIn = 1000;

    /// <summary>
    /// SDLM's diagonal treats a unit's weights as independent, but all F of them move at once: the
    /// curvature along the update is about F times the diagonal's when the inputs are alike. For
    /// LeNet-5 (F at most 400) that is absorbed by epsilon; the ablations' F6 sees 48,000 inputs and
    /// diverges at any epsilon that trains the rest. So rates of units with F above
    /// <see cref="CorrelatedFanIn"/> are scaled by <see cref="CorrelatedFanIn"/>/F.
    /// </summary>
    private void DampWideLayers()
    {
        for (int l = 0; l < Network.Layers.Count; l++)
        {
            int fanIn = Network.Layers[l].FanIn;
            if (fanIn <= CorrelatedFanIn) continue;
            var (offset, count) = Network.ParameterRange(l);
            TensorPrimitives.Multiply(_learningRates.AsSpan(offset, count), (float)CorrelatedFanIn / fanIn, _learningRates.AsSpan(offset, count));
        }
    }

    /// <summary>One step of SGD on the samples at positions [start, start + count) of <paramref name="order"/>. Allocates nothing.</summary>
    public void TrainBatch(int[] order, int start, int count, int epoch)
    {
        _order = order;
        _batchStart = start;
        _batchCount = count;
        _epoch = epoch;
        _pool.Run(_trainSlice);

        // g = (1/B) sum_t g_t  (in thread order);  v = momentum v + g;  w -= eta (.) v
        var g = _gradients[0].AsSpan();
        for (int t = 1; t < _threads; t++) TensorPrimitives.Add(g, _gradients[t], g);
        TensorPrimitives.Multiply(g, 1f / count, g);
        TensorPrimitives.MultiplyAdd(Velocity, Options.Momentum, g, Velocity);
        TensorPrimitives.Multiply(_learningRates, Velocity, _step);
        TensorPrimitives.Subtract(Parameters, _step, Parameters);
    }

    /// <summary>Worker t's contiguous slice of the batch: forward, count errors, backward into its own gradient buffer.</summary>
    private void TrainSlice(int t)
    {
        int perThread = (_batchCount + _threads - 1) / _threads;
        int s0 = t * perThread, m = Math.Min(_batchCount, s0 + perThread) - s0;
        var grad = _gradients[t];
        Array.Clear(grad);
        _loss[t] = 0;
        _errors[t] = 0;
        if (m <= 0) return;
        var ws = _workspaces[t];
        var labels = _labels[t];
        for (int i = 0; i < m; i++)
        {
            int sample = _order[_batchStart + s0 + i];
            FillInput(ws.Input.Slice(i * InputEncoding.Size, InputEncoding.Size), sample, _epoch);
            labels[i] = _train.Labels[sample];
        }
        Network.Forward(ws, Parameters, m);
        int errors = 0;
        for (int i = 0; i < m; i++)
            if (Network.Head.Predict(ws.Scores.AsSpan(i * OutputHead.Classes, OutputHead.Classes)) != labels[i]) errors++;
        _errors[t] = errors;
        _loss[t] = Network.Backward(ws, Parameters, labels.AsSpan(0, m), m, grad);
    }

    private void FillInput(Span<float> input, int sample, int epoch)
    {
        if (Options.Augment)
            _distortion.Apply(_train.Image(sample), input, Distortion.SampleState(Options.Seed, epoch, sample));
        else
            InputEncoding.Encode(_train.Image(sample), input);
    }

    /// <summary>h_kk: the Gauss-Newton diagonal averaged over the samples at [start, start + count) of the order (paper: 500 before each pass).</summary>
    internal float[] EstimateCurvature(int[] order, int start, int count, int epoch)
    {
        _order = order;
        _batchStart = start;
        _batchCount = count;
        _epoch = epoch;
        _pool.Run(_curvatureSlice);
        var h = _step; // free until the next update
        Array.Clear(h);
        foreach (var acc in _gradients) TensorPrimitives.Add(h, acc, h);
        TensorPrimitives.Multiply(h, 1f / count, h);
        return h;
    }

    private void CurvatureSlice(int t)
    {
        var acc = _gradients[t];
        Array.Clear(acc);
        var ws = _workspaces[t];
        var labels = _labels[t];
        int chunk = ws.MaxBatch;
        for (int c0 = t * chunk; c0 < _batchCount; c0 += _threads * chunk)
        {
            int m = Math.Min(chunk, _batchCount - c0);
            for (int i = 0; i < m; i++)
            {
                int sample = _order[(_batchStart + c0 + i) % _order.Length];
                FillInput(ws.Input.Slice(i * InputEncoding.Size, InputEncoding.Size), sample, _epoch);
                labels[i] = _train.Labels[sample];
            }
            Network.Forward(ws, Parameters, m);
            Network.Curvature(ws, Parameters, labels.AsSpan(0, m), m, acc);
        }
    }

    /// <summary>A shuffle of 0..n-1 that depends only on the seed and the epoch.</summary>
    public static int[] Permutation(int n, int seed, int epoch)
    {
        var order = Enumerable.Range(0, n).ToArray();
        // not HashCode.Combine: it is salted per process, and a run must repeat across processes
        new Random((int)(Distortion.SampleState(seed, epoch, -1) & int.MaxValue)).Shuffle(order);
        return order;
    }

    // ---- models and checkpoints ----

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The trained model with its metadata; the probabilities are calibrated on test images 0-4,999 of the last evaluation.</summary>
    public LeNet5Model ToModel(string command)
    {
        var metadata = new Dictionary<string, string>
        {
            [MetadataKeys.Training] = JsonSerializer.Serialize(Options, Json),
            [MetadataKeys.Epochs] = JsonSerializer.Serialize(History, Json),
            [MetadataKeys.MnistSha256] = JsonSerializer.Serialize(MnistFile.All.ToDictionary(f => f.Name, f => f.Sha256)),
            [MetadataKeys.Created] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            [MetadataKeys.Command] = command,
        };
        var model = new LeNet5Model(Architecture, (float[])Parameters.Clone(), metadata);
        if (LastEvaluation is { } eval)
        {
            model.Metadata[MetadataKeys.TestAccuracy] = eval.Accuracy.ToString("0.0000", CultureInfo.InvariantCulture);
            // calibrated on the first half of the test set only; the second half stays held out
            // for checking the calibration and the web app's rejection threshold
            int half = eval.Count / 2;
            model.Temperature = Evaluator.FitTemperature(Network.Head, eval.Scores[..(half * OutputHead.Classes)], eval.Labels[..half]);
        }
        return model;
    }

    /// <summary>Saves parameters, momentum and history so that <see cref="Resume"/> continues at the next epoch.</summary>
    public void SaveCheckpoint(string path, string command)
    {
        var model = ToModel(command);
        model.Metadata[MetadataKeys.CheckpointEpoch] = CompletedEpochs.ToString(CultureInfo.InvariantCulture);
        model.Save(path, [new NamedTensor("optimizer.velocity", [Velocity.Length], Velocity)]);
    }

    /// <summary>Continues a run from a checkpoint; <paramref name="epochs"/> may extend it.</summary>
    public static Trainer Resume(string checkpointPath, MnistDataset data, int? epochs = null, int? threads = null)
    {
        var model = LeNet5Model.FromBytes(File.ReadAllBytes(checkpointPath), checkpointPath, out var extra);
        if (!extra.TryGetValue("optimizer.velocity", out var velocity) || velocity.Data.Length != model.Parameters.Length)
            throw new ModelFormatException($"{checkpointPath}: not a checkpoint (no optimizer state).");
        string Meta(string key) => model.Metadata.TryGetValue(key, out var v) ? v
            : throw new ModelFormatException($"{checkpointPath}: not a checkpoint (no '{key}' in its metadata).");
        TrainingOptions options;
        try
        {
            options = JsonSerializer.Deserialize<TrainingOptions>(Meta(MetadataKeys.Training), Json)
                ?? throw new ModelFormatException($"{checkpointPath}: unreadable training settings.");
        }
        catch (JsonException ex)
        {
            throw new ModelFormatException($"{checkpointPath}: unreadable training settings ({ex.Message}).", ex);
        }
        options = options with { Epochs = epochs ?? options.Epochs, Threads = threads ?? options.Threads };
        var trainer = new Trainer(model.Architecture, options, data, model.Parameters);
        velocity.Data.CopyTo(trainer.Velocity, 0);
        trainer.History.AddRange(JsonSerializer.Deserialize<List<EpochMetrics>>(Meta(MetadataKeys.Epochs), Json) ?? []);
        trainer.CompletedEpochs = int.TryParse(Meta(MetadataKeys.CheckpointEpoch), CultureInfo.InvariantCulture, out int done) && done >= 0
            ? done
            : throw new ModelFormatException($"{checkpointPath}: bad checkpoint epoch.");
        return trainer;
    }
}
