using System.Numerics.Tensors;
using LeNet5.Core.Data;
using LeNet5.Core.Networks;
using LeNet5.Core.Parallelism;

namespace LeNet5.Core.Training;

/// <summary>
/// The thread team that works on one batch of training images. Worker t takes the t-th contiguous
/// slice of the batch, encodes (or distorts) its images into its own workspace and accumulates its
/// gradient, or its Gauss-Newton curvature, into its own buffer; the buffers are then summed in
/// worker order, so a run is reproducible for a given seed and thread count. Allocates nothing per batch.
/// </summary>
internal sealed class BatchWorkers : IDisposable
{
    private readonly Network _network;
    private readonly MnistSplit _train;
    private readonly TrainingOptions _options;
    private readonly Distortion _distortion = Distortion.Default;
    private readonly ElasticDistortion _elastic = ElasticDistortion.Default;
    // each worker's buffers for distorting: a displacement field, its smoothing scratch, a re-stroked digit
    private readonly float[][] _fields;
    private readonly float[][] _fieldScratch;
    private readonly byte[][] _strokes;
    private readonly byte[][] _continental;
    private readonly Workspace[] _workspaces;
    private readonly float[][] _sums;
    private readonly byte[][] _labels;
    private readonly double[] _loss;
    private readonly int[] _errors;
    private readonly WorkerPool _pool;
    private readonly Action<int> _gradientSlice;
    private readonly Action<int> _curvatureSlice;
    private readonly Action<int> _stepSlice;
    private readonly float[][] _stepTiles;

    // the samples the workers are on: positions [_start, _start + _count) of _order
    private int[] _order = [];
    private int _start, _count, _epoch;
    private float[] _parameters = [];

    public BatchWorkers(Network network, MnistSplit train, TrainingOptions options)
    {
        _network = network;
        _train = train;
        _options = options;
        Threads = options.Threads;
        int perThread = Math.Max((options.BatchSize + Threads - 1) / Threads, 128);
        _workspaces = [.. Enumerable.Range(0, Threads).Select(_ => network.CreateWorkspace(perThread))];
        _sums = [.. Enumerable.Range(0, Threads).Select(_ => new float[network.ParameterCount])];
        _labels = [.. Enumerable.Range(0, Threads).Select(_ => new byte[perThread])];
        _fields = [.. Enumerable.Range(0, Threads).Select(_ => new float[ElasticDistortion.FieldSize])];
        _fieldScratch = [.. Enumerable.Range(0, Threads).Select(_ => new float[_elastic.ScratchSize])];
        _strokes = [.. Enumerable.Range(0, Threads).Select(_ => new byte[MnistSplit.Pixels])];
        _continental = [.. Enumerable.Range(0, Threads).Select(_ => new byte[MnistSplit.Pixels])];
        _loss = new double[Threads];
        _errors = new int[Threads];
        _pool = new WorkerPool(Threads);
        _gradientSlice = GradientSlice;
        _curvatureSlice = CurvatureSlice;
        _stepSlice = StepSlice;
        _stepTiles = [.. Enumerable.Range(0, Threads).Select(_ => new float[StepTile])];
    }

    public int Threads { get; }

    /// <summary>One workspace per worker (the test evaluation reuses them).</summary>
    public IReadOnlyList<Workspace> Workspaces => _workspaces;

    /// <summary>Each worker's summed loss and error count over its slice of the last gradient batch, in worker order.</summary>
    public ReadOnlySpan<double> Losses => _loss;
    public ReadOnlySpan<int> Errors => _errors;

    /// <summary>
    /// dE/dp over the samples at [start, start + count) of the order, left in the workers' buffers
    /// for <see cref="Step"/> to sum.
    /// </summary>
    public void Gradient(float[] parameters, int[] order, int start, int count, int epoch) =>
        Run(_gradientSlice, parameters, order, start, count, epoch);

    /// <summary>
    /// One step of SGD with momentum on the last <see cref="Gradient"/>, of <paramref name="count"/> samples:
    /// g = (1/count) sum_t g_t (the workers' slices added in order); v = momentum v + g; p -= rate (.) v.
    /// The workers share the parameters in contiguous parts and take each a tile at a time through
    /// all of it, so every array crosses the memory bus once (the ablations' are 16 MB each) rather than
    /// once per pass over it. Each element's arithmetic is that of a plain per-element loop, so the
    /// result does not depend on the tiling.
    /// </summary>
    public void Step(float[] parameters, float[] velocity, float[] rates, float momentum, int count)
    {
        (_velocity, _rates, _momentum) = (velocity, rates, momentum);
        Run(_stepSlice, parameters, count);
    }

    private const int StepTile = 4096;
    private float[] _velocity = [], _rates = [];
    private float _momentum;

    private void StepSlice(int t)
    {
        int n = _parameters.Length, share = (n + Threads - 1) / Threads;
        int from = t * share, to = Math.Min(n, from + share);
        var g = _stepTiles[t].AsSpan();
        for (int i = from; i < to; i += StepTile)
        {
            int len = Math.Min(StepTile, to - i);
            var gi = g[..len];
            var v = _velocity.AsSpan(i, len);
            var p = _parameters.AsSpan(i, len);
            _sums[0].AsSpan(i, len).CopyTo(gi);
            for (int u = 1; u < Threads; u++) TensorPrimitives.Add(gi, _sums[u].AsSpan(i, len), gi);
            TensorPrimitives.Multiply(gi, 1f / _count, gi);
            TensorPrimitives.MultiplyAdd(v, _momentum, gi, v);
            TensorPrimitives.Multiply(_rates.AsSpan(i, len), v, gi);
            TensorPrimitives.Subtract(p, gi, p);
        }
    }

    /// <summary>The Gauss-Newton diagonal summed over the samples at [start, start + count) of the order (wrapping around it).</summary>
    public Span<float> Curvature(float[] parameters, int[] order, int start, int count, int epoch)
    {
        Run(_curvatureSlice, parameters, order, start, count, epoch);
        return SumInOrder();
    }

    public void Dispose() => _pool.Dispose();

    private void Run(Action<int> slice, float[] parameters, int[] order, int start, int count, int epoch)
    {
        (_order, _start, _epoch) = (order, start, epoch);
        Run(slice, parameters, count);
    }

    private void Run(Action<int> slice, float[] parameters, int count)
    {
        (_parameters, _count) = (parameters, count);
        _pool.Run(slice);
    }

    private Span<float> SumInOrder()
    {
        var sum = _sums[0].AsSpan();
        for (int t = 1; t < Threads; t++) TensorPrimitives.Add(sum, _sums[t], sum);
        return sum;
    }

    /// <summary>Worker t's contiguous slice of the batch: forward, count errors, backward into its own buffer.</summary>
    private void GradientSlice(int t)
    {
        int perThread = (_count + Threads - 1) / Threads;
        int s0 = t * perThread, m = Math.Min(_count, s0 + perThread) - s0;
        Array.Clear(_sums[t]);
        _loss[t] = 0;
        _errors[t] = 0;
        if (m <= 0) return;
        var ws = _workspaces[t];
        int errors = 0;
        double loss = 0;
        for (int c0 = 0; c0 < m; c0 += _network.SamplesPerPass)
        {
            int k = Math.Min(_network.SamplesPerPass, m - c0);
            Load(t, _start + s0 + c0, k);
            _network.Forward(ws, _parameters, k);
            for (int i = 0; i < k; i++)
                if (_network.Head.Predict(ws.Scores.AsSpan(i * Layers.OutputHead.Classes, Layers.OutputHead.Classes)) != _labels[t][i]) errors++;
            loss += _network.Backward(ws, _parameters, _labels[t].AsSpan(0, k), k, _sums[t]);
        }
        _errors[t] = errors;
        _loss[t] = loss;
    }



    /// <summary>Worker t's chunks of the curvature samples, a workspace-full at a time.</summary>
    private void CurvatureSlice(int t)
    {
        Array.Clear(_sums[t]);
        var ws = _workspaces[t];
        int chunk = _network.SamplesPerPass;
        for (int c0 = t * chunk; c0 < _count; c0 += Threads * chunk)
        {
            int m = Math.Min(chunk, _count - c0);
            Load(t, _start + c0, m);
            _network.Forward(ws, _parameters, m);
            _network.Curvature(ws, _parameters, _labels[t].AsSpan(0, m), m, _sums[t]);
        }
    }

    /// <summary>
    /// The samples at positions [first, first + m) of the order (wrapping around it) into worker t's
    /// input: encoded as they are, or re-stroked, elastically displaced and affinely distorted as the
    /// options say, each from the sample's own random stream.
    /// </summary>
    private void Load(int t, int first, int m)
    {
        var ws = _workspaces[t];
        var labels = _labels[t];
        bool distorted = _options.Augment || _options.Elastic || _options.StrokeWidth || _options.Continental;
        for (int i = 0; i < m; i++)
        {
            int sample = _order[(first + i) % _order.Length];
            var input = ws.Input.Slice(i * InputEncoding.Size, InputEncoding.Size);
            var image = _train.Image(sample);
            labels[i] = _train.Labels[sample];
            if (!distorted)
            {
                InputEncoding.Encode(image, input);
                continue;
            }
            ulong state = Distortion.SampleState(_options.Seed, _epoch, sample);
            var map = _options.Augment ? _distortion.Draw(state) : AffineMap.Identity;
            if (_options.Continental && ContinentalStrokes.Apply(image, labels[i], state, _continental[t])) image = _continental[t];
            if (_options.StrokeWidth && StrokeMorphology.Draw(state) is var radius && radius != 0)
            {
                StrokeMorphology.Apply(image, _strokes[t], radius);
                image = _strokes[t];
                map = map.Scaled(StrokeMorphology.RefitScale(radius));
            }
            ReadOnlySpan<float> field = default;
            if (_options.Elastic)
            {
                _elastic.Field(state, _fields[t], _fieldScratch[t]);
                field = _fields[t];
            }
            Distortion.Resample(image, input, map, field);
        }
    }
}
