using System.Numerics.Tensors;
using LeNet5.Core.Kernels;

namespace LeNet5.Core.Layers;

/// <summary>
/// A 5x5 valid convolution (cross-correlation, stride 1) whose output maps each see a chosen set of
/// input maps: all of them for C1 and C5, the paper's sparse table for C3 (Table I). Parameters are
/// one 5x5 kernel per connection, in table order, then one bias per output map.
/// <para>
/// Each kernel tap is applied to a whole output map at once: the input's rows are laid out at a
/// stride S of whole half-vectors (16 floats for C3's 14-wide maps, 24 and 32 for the ablations' and
/// the input) and the output is computed in "wide" rows of that stride (the columns past W_out are
/// discarded), so tap (r, c) becomes a single contiguous multiply-add y_wide[p] += k[r,c] x[p + r S + c]
/// over (H_out-1) S + W_out floats, and a source vector serves one output vector per kernel row.
/// </para>
/// </summary>
public sealed class Convolution : Layer
{
    public const int K = 5;
    private readonly int[][] _table;        // input maps feeding each output map
    private readonly int[] _kernelStart;    // index of each output map's first kernel
    private readonly int _connections;
    private readonly bool _dense;           // kernel covers the whole input: a plain matrix product
    private readonly KernelPath _path;

    public Convolution(string name, Shape input, int outputMaps, int[][]? table = null, KernelPath? path = null)
        : base(name, input, new Shape(outputMaps, input.Height - K + 1, input.Width - K + 1))
    {
        _path = KernelPaths.Supported(path ?? KernelPaths.Fastest);
        _table = table ?? Enumerable.Range(0, outputMaps).Select(_ => Enumerable.Range(0, input.Channels).ToArray()).ToArray();
        if (_table.Length != outputMaps) throw new ArgumentException("one table row per output map", nameof(table));
        _kernelStart = new int[outputMaps];
        for (int o = 0, k = 0; o < outputMaps; k += _table[o].Length, o++) _kernelStart[o] = k;
        _connections = _table.Sum(r => r.Length);
        _dense = Output.Height == 1 && Output.Width == 1 &&
                 _table.All(r => r.Length == input.Channels && r.Select((v, i) => v == i).All(b => b));
        // the (source plane, kernel) pairs of each output map's sum, and of each input map's gradient
        _forwardSources = [.. _table.Select(row => row.Select(i => i * StridedPlane).ToArray())];
        _forwardKernels = [.. Enumerable.Range(0, outputMaps).Select(o => Enumerable.Range(0, _table[o].Length).Select(c => (_kernelStart[o] + c) * K * K).ToArray())];
        var uses = Enumerable.Range(0, input.Channels)
            .Select(i => Enumerable.Range(0, outputMaps).SelectMany(o => _table[o].Select((m, c) => (m, o, c)).Where(u => u.m == i)).ToArray()).ToArray();
        _gradientSources = [.. uses.Select(u => u.Select(x => x.o * DyPlaneStride).ToArray())];
        _gradientKernels = [.. uses.Select(u => u.Select(x => (_kernelStart[x.o] + x.c) * K * K).ToArray())];
        _forwardPairs = PairsWithNext(_forwardSources);
        _gradientPairs = PairsWithNext(_gradientSources);
        _gradientDyStarts = [.. _gradientSources.Select(starts => starts.Select(start => start / DyPlaneStride * WholeMapDyPlane + WholeMapDyFront).ToArray())];
        _gradientAccumulators = [.. _gradientKernels.Select(ks => ks.Select(k => k / (K * K) * ConvolutionKernels.AccumulatorLength).ToArray())];
        _wholeMaps = _path == KernelPath.Vector512 && !_dense && WholeMapKernels.Fits(input.Height, Stride);
        // LeNet-5's C1 (one 32x32 input, 28 outputs a row: two vectors of 16 would waste four lanes) and C3 (10 a row: six
        // wasted) run a sample in each lane; the ablations' wider layers keep their blocks, which waste no more than C1's would
        _sampleLanes = _path == KernelPath.Vector512 && !_dense && input.Width == input.Height && Output.Width >= SampleLaneKernels.OutputSide &&
                       (_wholeMaps || input.Channels == 1 && input.Height == 32);
        _laneSources = [.. _table.Select(row => row.Select(i => i * LanePlaneIn).ToArray())];
        _laneDyStarts = [.. uses.Select(u => u.Select(x => x.o * LanePlaneOut).ToArray())];
    }

    /// <summary>
    /// C1 and C3 of LeNet-5 in passes of sixteen samples or more: each group of sixteen runs <see cref="SampleLaneKernels"/>,
    /// a sample in each vector lane; the samples left over run C3's <see cref="WholeMapKernels"/> or C1's general blocks.
    /// C1's input gradient, wanted only by explanations' passes of one sample, has no lane pass.
    /// </summary>
    private readonly bool _sampleLanes;
    private int LanePlaneIn => Input.Height * Input.Width * SampleLaneKernels.Lanes;
    private int LanePlaneOut => Output.Height * Output.Width * SampleLaneKernels.Lanes;
    private readonly int[][] _laneSources;  // per output map: where its input maps start, sixteen samples to a position
    private readonly int[][] _laneDyStarts; // per input map: where its readers' dy maps start, the same way

    /// <summary>How many of a pass's <paramref name="n"/> samples run <see cref="SampleLaneKernels"/>: whole groups of sixteen.</summary>
    private int LaneSamples(int n) => _sampleLanes ? n / SampleLaneKernels.Lanes * SampleLaneKernels.Lanes : 0;

    // the sample-lane passes' buffers, after the whole-map ones: the inputs, the outputs (or output gradients), the input gradients
    private int LaneInputs => Input.Size * SampleLaneKernels.Lanes;
    private int LaneOutputs => Output.Size * SampleLaneKernels.Lanes;
    private int LaneScratchSize => _sampleLanes ? 2 * LaneInputs + LaneOutputs : 0;
    // after the other passes' buffers, on a vector boundary (the scratch itself starts on one)
    private int LaneStart => (Math.Max(GeneralScratchSize, _wholeMaps ? WholeMapScratchSize : 0) + 15) / 16 * 16;

    /// <summary>C3 of LeNet-5: its maps fit registers whole, and <see cref="WholeMapKernels"/> runs its three passes.</summary>
    private readonly bool _wholeMaps;

    /// <summary>
    /// Whether a pass of <paramref name="n"/> samples runs <see cref="WholeMapKernels"/> (or, for its groups of sixteen,
    /// <see cref="SampleLaneKernels"/>): passes of several samples (training, evaluation) and single predictions
    /// (<see cref="ForwardOne"/>) do. A pass of one sample through
    /// <see cref="Layer.Forward"/> and <see cref="Layer.Backward"/> is an explanation's (saliency, dreams, nudges), and
    /// keeps the general blocks: a dream is hundreds of steps of ascent that amplify the last bit of a sum, so another
    /// order of additions draws another dream, and the shipped models' dreams are the ones their readers were checked on.
    /// </summary>
    private bool WholeMaps(int n) => _wholeMaps && n > 1;
    private readonly int[][] _gradientAccumulators; // per input map: each reader's kernel's vector accumulators
    private readonly int[][] _gradientDyStarts;     // per input map: where each reader's dy rows start in the whole-map planes

    // the whole-map kernels' dy planes: 16 zeros, the rows at a stride of one vector, 16 zeros; every row on a vector boundary
    private const int WholeMapDyFront = 16;
    private int WholeMapDyPlane => WholeMapDyFront + Output.Height * Stride + 16;
    private int WholeMapInputCopy => ConvolutionKernels.Padded(InputCopyLength);

    private readonly bool[] _forwardPairs, _gradientPairs;

    /// <summary>
    /// Which maps start a pair with the next one: two maps whose sums run over the same sources
    /// (C1's outputs, the ablations' C5's outputs and its input gradients) go to
    /// <see cref="ConvolutionKernels.CorrelatePair"/>, which computes them in one pass where the
    /// stride makes that pay (the ablations' C5) and one after the other elsewhere.
    /// </summary>
    private static bool[] PairsWithNext(int[][] sources)
    {
        var pairs = new bool[sources.Length];
        for (int m = 0; m + 1 < sources.Length; m++)
            if (sources[m].AsSpan().SequenceEqual(sources[m + 1]))
                pairs[m++] = true;
        return pairs;
    }

    private readonly int[][] _forwardSources, _forwardKernels;   // per output map: input planes, kernels
    private readonly int[][] _gradientSources, _gradientKernels; // per input map: padded dy planes, flipped kernels

    public const string KindName = "conv";
    public override string Kind => KindName;
    public IReadOnlyList<int[]> Table => _table;
    public bool IsSparse => _connections != Output.Channels * Input.Channels;

    public override IReadOnlyList<ParameterTensor> Parameters =>
        IsSparse
            ? [new("weight", [_connections, K, K]), new("bias", [Output.Channels])]
            : [new("weight", [Output.Channels, Input.Channels, K, K]), new("bias", [Output.Channels])];

    public override int FanIn => _table.Max(r => r.Length) * K * K;

    private int WeightCount => _connections * K * K;
    private int WideLength => (Output.Height - 1) * Stride + Output.Width;
    private int PlaneIn => Input.Height * Input.Width;

    /// <summary>The row stride of the planes the kernels run over (<see cref="ConvolutionKernels.RowStride"/>).</summary>
    private int Stride => ConvolutionKernels.RowStride(Input.Width);
    private int StridedPlane => Input.Height * Stride;
    private int PlaneOut => Output.Height * Output.Width;

    // Scratch, per thread: the sample's input copied with a zero tail (the padded kernels read past
    // the last plane), the wide output rows, every output map's dy in wide rows with margins for
    // gathering dx, dx planes each padded to whole vectors (the kernels write past a plane's end),
    // transformed kernels and the kernel gradients' vector sums.
    private int Margin => ConvolutionKernels.Reach(Stride);
    private int InputCopyLength => Input.Channels * StridedPlane + Margin + 16;
    private int WideCapacity => ConvolutionKernels.Padded(WideLength);
    private int DyPlaneStride => Margin + WideLength + Margin + 16;
    private int DxPlaneStride => ConvolutionKernels.Padded(StridedPlane);

    private int GeneralScratchSize => InputCopyLength + 2 * WideCapacity + Output.Channels * DyPlaneStride + Input.Channels * DxPlaneStride
        + WeightCount + _connections * ConvolutionKernels.AccumulatorLength;

    public override int ScratchSize =>
        Math.Max(Math.Max(GeneralScratchSize, _dense ? Dense.ScratchSize(Output.Channels) : 0),
                 Math.Max(_wholeMaps ? WholeMapScratchSize : 0, _sampleLanes ? LaneStart + LaneScratchSize : 0));

    public override void Initialize(Span<float> p, Random rng)
    {
        for (int o = 0; o < Output.Channels; o++)
        {
            int fanIn = _table[o].Length * K * K;
            FillUniform(p.Slice(_kernelStart[o] * K * K, _table[o].Length * K * K), 2.4f / fanIn, rng);
            p[WeightCount + o] = (float)((rng.NextDouble() * 2 - 1) * 2.4 / fanIn);
        }
    }

    public override void Forward(int n, ReadOnlySpan<float> p, ReadOnlySpan<float> x, Span<float> y, Span<float> scratch) =>
        Forward(n, p, x, y, scratch, WholeMaps(n));

    private void Forward(int n, ReadOnlySpan<float> p, ReadOnlySpan<float> x, Span<float> y, Span<float> scratch, bool wholeMaps)
    {
        var w = p[..WeightCount];
        var b = p.Slice(WeightCount, Output.Channels);
        if (_dense)
        {
            Dense.Forward(_path, n, Input.Size, Output.Channels, w, b, x, y);
            return;
        }
        int L = WideLength, lanes = LaneSamples(n);
        if (lanes > 0)
        {
            var xl = scratch.Slice(LaneStart, LaneInputs);
            var yl = scratch.Slice(LaneStart + LaneInputs, LaneOutputs);
            for (int s0 = 0; s0 < lanes; s0 += SampleLaneKernels.Lanes)
            {
                // y_o = b_o + sum_{i in table[o]} k_{o,i} * x_i for sixteen samples, one a lane
                SampleLaneKernels.ToLanes(x[(s0 * Input.Size)..], Input.Size, Input.Size, xl);
                for (int o = 0; o < Output.Channels; o++)
                    SampleLaneKernels.Correlate(xl, _laneSources[o], w, _forwardKernels[o], b[o], yl.Slice(o * LanePlaneOut), Output.Width);
                SampleLaneKernels.FromLanes(yl, Output.Size, y[(s0 * Output.Size)..], Output.Size);
            }
        }
        var xcopy = scratch[..InputCopyLength];
        var wide = scratch.Slice(InputCopyLength, WideCapacity);
        var wideNext = scratch.Slice(InputCopyLength + WideCapacity, WideCapacity);
        xcopy.Clear();
        for (int s = lanes; s < n; s++)
        {
            CopyStrided(x.Slice(s * Input.Size, Input.Size), xcopy, squared: false);
            var ys = y.Slice(s * Output.Size, Output.Size);
            // y_o = b_o + sum_{i in table[o]} k_{o,i} * x_i   (valid cross-correlation)
            if (wholeMaps)
            {
                for (int o = 0; o < Output.Channels; o++)
                {
                    WholeMapKernels.Correlate(xcopy, _forwardSources[o], w, _forwardKernels[o], b[o], wide);
                    Rows.Copy(wide, Stride, ys.Slice(o * PlaneOut, PlaneOut), Output.Width, Output.Width, Output.Height);
                }
                continue;
            }
            for (int o = 0; o < Output.Channels;)
            {
                bool pair = _forwardPairs[o];
                o += CorrelateMaps(pair, o, xcopy, _forwardSources, w, _forwardKernels, b[o], pair ? b[o + 1] : 0f,
                    wide, wideNext, L, ys, Output);
            }
        }
    }

    /// <summary>For a kernel that covers its whole input (C5), Wᵀ: a single prediction streams it once, in order (<see cref="Dense.ForwardPacked"/>).</summary>
    public override int PackedSize => _dense ? Dense.PackedSize(_path, Input.Size, Output.Channels) : 0;

    public override void Pack(ReadOnlySpan<float> p, Span<float> packed)
    {
        if (_dense) Dense.Pack(_path, Input.Size, Output.Channels, p[..WeightCount], p.Slice(WeightCount, Output.Channels), packed);
    }

    public override void ForwardOne(ReadOnlySpan<float> p, ReadOnlySpan<float> packed, ReadOnlySpan<float> x, Span<float> y, Span<float> scratch)
    {
        if (_dense) Dense.ForwardPacked(_path, Input.Size, Output.Channels, p[..WeightCount], p.Slice(WeightCount, Output.Channels), packed, x, y);
        else Forward(1, p, x, y, scratch, _wholeMaps);
    }

    public override void Backward(int n, ReadOnlySpan<float> p, ReadOnlySpan<float> x, ReadOnlySpan<float> y,
        ReadOnlySpan<float> dy, Span<float> dx, Span<float> dp, Span<float> scratch)
    {
        var w = p[..WeightCount];
        if (_dense)
        {
            Dense.Backward(_path, n, Input.Size, Output.Channels, w, x, dy, dx, dp[..WeightCount], dp.Slice(WeightCount, Output.Channels));
            return;
        }
        Propagate(n, w, x, dy, dx, dp, scratch, squared: false);
    }

    public override void BackwardCurvature(int n, ReadOnlySpan<float> p, ReadOnlySpan<float> x, ReadOnlySpan<float> y,
        ReadOnlySpan<float> d2y, Span<float> d2x, Span<float> hp, Span<float> scratch)
    {
        var w = p[..WeightCount];
        if (_dense)
        {
            Dense.Curvature(_path, n, Input.Size, Output.Channels, w, x, d2y, d2x, hp[..WeightCount], hp.Slice(WeightCount, Output.Channels), scratch);
            return;
        }
        Propagate(n, w, x, d2y, d2x, hp, scratch, squared: true);
    }

    /// <summary>
    /// The gradient pass, or with <paramref name="squared"/> its Gauss-Newton twin with k^2 and x^2:
    /// db_o = sum dy_o;  dk_{o,i}[tap] = sum_p dy_o[p] x_i[p + tap];  dx_i = sum_o (dy_o padded) correlated with k_{o,i} flipped.
    /// Gathering dx this way (a "full" correlation of dy with the flipped kernel) reuses the forward kernel.
    /// </summary>
    private void Propagate(int n, ReadOnlySpan<float> w, ReadOnlySpan<float> x, ReadOnlySpan<float> dy,
        Span<float> dx, Span<float> dp, Span<float> scratch, bool squared)
    {
        if (WholeMaps(n))
        {
            PropagateWholeMaps(n, w, x, dy, dx, dp, scratch, squared);
            return;
        }
        int L = WideLength, W = Stride;
        int at = 0;
        Span<float> Take(Span<float> buffer, int length)
        {
            var part = buffer.Slice(at, length);
            at += length;
            return part;
        }
        var xcopy = Take(scratch, InputCopyLength);
        Take(scratch, 2 * WideCapacity);
        var padded = Take(scratch, Output.Channels * DyPlaneStride);
        var dxPlanes = Take(scratch, Input.Channels * DxPlaneStride);
        var flipped = Take(scratch, WeightCount);
        var accumulators = Take(scratch, _connections * ConvolutionKernels.AccumulatorLength);
        accumulators.Clear();
        // flipped[c][tap] = k[c][24 - tap] (squared for the curvature pass)
        for (int c = 0; c < _connections; c++)
            for (int t = 0; t < K * K; t++)
            {
                float v = w[c * K * K + K * K - 1 - t];
                flipped[c * K * K + t] = squared ? v * v : v;
            }
        var dw = dp[..WeightCount];
        var db = dp.Slice(WeightCount, Output.Channels);
        bool wantDx = !dx.IsEmpty;
        int lanes = wantDx ? 0 : LaneSamples(n);
        if (lanes > 0) LaneGradients(lanes, x, dy, db, accumulators, scratch, squared);
        padded.Clear();
        xcopy.Clear();
        for (int s = lanes; s < n; s++)
        {
            CopyStrided(x.Slice(s * Input.Size, Input.Size), xcopy, squared);
            var dys = dy.Slice(s * Output.Size, Output.Size);
            for (int o = 0; o < Output.Channels; o++)
            {
                var dyo = dys.Slice(o * PlaneOut, PlaneOut);
                db[o] += TensorPrimitives.Sum(dyo);
                // spread dy into wide rows; the discarded columns and the margins stay zero
                Rows.Copy(dyo, Output.Width, padded.Slice(o * DyPlaneStride + Margin, L), W, Output.Width, Output.Height);
            }
            // dk_{o,i}[tap] += sum_p dy_o[p] x_i[p + tap], for the maps o that read i two at a time
            for (int i = 0; i < Input.Channels; i++)
            {
                var xi = xcopy[(i * StridedPlane)..];
                var readers = _gradientSources[i];
                var kernels = _gradientKernels[i];
                for (int u = 0; u < readers.Length; u += 2)
                {
                    int ka = kernels[u];
                    var accA = accumulators.Slice(ka / (K * K) * ConvolutionKernels.AccumulatorLength, ConvolutionKernels.AccumulatorLength);
                    if (u + 1 == readers.Length)
                    {
                        ConvolutionKernels.Gradient(_path, padded[(readers[u] + Margin)..], xi, W, dw.Slice(ka, K * K), accA, L);
                        continue;
                    }
                    int kb = kernels[u + 1];
                    ConvolutionKernels.GradientPair(_path, padded[(readers[u] + Margin)..], padded[(readers[u + 1] + Margin)..], xi, W,
                        dw.Slice(ka, K * K), dw.Slice(kb, K * K), accA,
                        accumulators.Slice(kb / (K * K) * ConvolutionKernels.AccumulatorLength, ConvolutionKernels.AccumulatorLength), L);
                }
            }
            if (!wantDx) continue;
            // dx_i = sum over the maps o that read i of (dy_o padded) correlated with k_{o,i} flipped
            var dxs = dx.Slice(s * Input.Size, Input.Size);
            for (int i = 0; i < Input.Channels;)
            {
                bool pair = _gradientPairs[i];
                var plane = dxPlanes.Slice(i * DxPlaneStride, DxPlaneStride);
                var next = pair ? dxPlanes.Slice((i + 1) * DxPlaneStride, DxPlaneStride) : Span<float>.Empty;
                i += CorrelateMaps(pair, i, padded, _gradientSources, flipped, _gradientKernels, 0f, 0f, plane, next, StridedPlane, dxs, Input);
            }
        }
        ConvolutionKernels.Collect(_path, accumulators, dw, _connections);
    }

    /// <summary>Samples whose kernel gradients <see cref="PropagateWholeMaps"/> sums in registers before it adds them to the accumulators.</summary>
    private const int WholeMapGroup = 8;

    private int WholeMapScratchSize =>
        WholeMapGroup * (WholeMapInputCopy + Output.Channels * WholeMapDyPlane) + DxPlaneStride + WeightCount + _connections * ConvolutionKernels.AccumulatorLength;

    /// <summary>
    /// <see cref="Propagate"/> for C3 (<see cref="WholeMapKernels"/>), a group of samples at a time: each sample's dx as
    /// soon as its dy is laid out, then every kernel's gradient over the whole group, so a kernel's sums leave the
    /// registers once a group instead of once a sample (60 kernels' vector accumulators do not fit the nearest cache).
    /// </summary>
    private void PropagateWholeMaps(int n, ReadOnlySpan<float> w, ReadOnlySpan<float> x, ReadOnlySpan<float> dy,
        Span<float> dx, Span<float> dp, Span<float> scratch, bool squared)
    {
        int L = WideLength, W = Stride, planes = Output.Channels * WholeMapDyPlane, copy = WholeMapInputCopy;
        var xcopies = scratch[..(WholeMapGroup * copy)];
        var padded = scratch.Slice(xcopies.Length, WholeMapGroup * planes);
        var dxPlane = scratch.Slice(xcopies.Length + padded.Length, DxPlaneStride);
        var kernels = scratch.Slice(xcopies.Length + padded.Length + DxPlaneStride, WeightCount);
        var accumulators = scratch.Slice(xcopies.Length + padded.Length + DxPlaneStride + WeightCount, _connections * ConvolutionKernels.AccumulatorLength);
        accumulators.Clear();
        // the kernels as they are (squared for the curvature pass): dx spreads dy with k itself
        for (int t = 0; t < WeightCount; t++) kernels[t] = squared ? w[t] * w[t] : w[t];
        var dw = dp[..WeightCount];
        var db = dp.Slice(WeightCount, Output.Channels);
        int lanes = LaneSamples(n);
        if (lanes > 0)
        {
            var xl = scratch.Slice(LaneStart, LaneInputs);
            var dyl = scratch.Slice(LaneStart + LaneInputs, LaneOutputs);
            var dxl = scratch.Slice(LaneStart + LaneInputs + LaneOutputs, LaneInputs);
            for (int s0 = 0; s0 < lanes; s0 += SampleLaneKernels.Lanes)
            {
                LaneGroup(s0, x, dy, db, accumulators, xl, dyl, squared);
                if (dx.IsEmpty) continue;
                // dx_i = sum over the maps o that read i of k_{o,i} spread over dy_o
                for (int i = 0; i < Input.Channels; i++)
                    SampleLaneKernels.InputGradient(dyl, _laneDyStarts[i], kernels, _gradientKernels[i], dxl.Slice(i * LanePlaneIn));
                SampleLaneKernels.FromLanes(dxl, Input.Size, dx[(s0 * Input.Size)..], Input.Size);
            }
        }
        xcopies.Clear();
        padded.Clear();
        for (int s0 = lanes; s0 < n; s0 += WholeMapGroup)
        {
            int group = Math.Min(WholeMapGroup, n - s0);
            for (int g = 0; g < group; g++)
            {
                int s = s0 + g;
                CopyStrided(x.Slice(s * Input.Size, Input.Size), xcopies.Slice(g * copy, copy), squared);
                var dys = dy.Slice(s * Output.Size, Output.Size);
                var sample = padded.Slice(g * planes, planes);
                for (int o = 0; o < Output.Channels; o++)
                {
                    var dyo = dys.Slice(o * PlaneOut, PlaneOut);
                    db[o] += TensorPrimitives.Sum(dyo);
                    // dy in wide rows; the discarded columns and the margins stay zero
                    Rows.Copy(dyo, Output.Width, sample.Slice(o * WholeMapDyPlane + WholeMapDyFront, L), W, Output.Width, Output.Height);
                }
                if (dx.IsEmpty) continue;
                // dx_i = sum over the maps o that read i of k_{o,i} spread over dy_o
                var dxs = dx.Slice(s * Input.Size, Input.Size);
                for (int i = 0; i < Input.Channels; i++)
                {
                    WholeMapKernels.InputGradient(sample, _gradientDyStarts[i], kernels, _gradientKernels[i], dxPlane);
                    Rows.Copy(dxPlane, Stride, dxs.Slice(i * PlaneIn, PlaneIn), Input.Width, Input.Width, Input.Height);
                }
            }
            // dk_{o,i}[tap] += sum over the group's samples and p of dy_o[p] x_i[p + tap], for the maps o that read i
            for (int i = 0; i < Input.Channels; i++)
                WholeMapKernels.Gradients(xcopies[(i * StridedPlane)..], copy, padded, planes, group,
                    _gradientDyStarts[i], accumulators, _gradientAccumulators[i]);
        }
        ConvolutionKernels.Collect(_path, accumulators, dw, _connections);
    }

    /// <summary>The kernel gradients (and bias gradients) of the first <paramref name="lanes"/> samples, sixteen at a time, one a lane.</summary>
    private void LaneGradients(int lanes, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> db, Span<float> accumulators, Span<float> scratch, bool squared)
    {
        var xl = scratch.Slice(LaneStart, LaneInputs);
        var dyl = scratch.Slice(LaneStart + LaneInputs, LaneOutputs);
        for (int s0 = 0; s0 < lanes; s0 += SampleLaneKernels.Lanes) LaneGroup(s0, x, dy, db, accumulators, xl, dyl, squared);
    }

    /// <summary>
    /// Samples s0 to s0 + 15 into the lane layout (their inputs squared for the curvature pass), their bias gradients, and
    /// dk_{o,i}[tap] += sum_p dy_o[p] x_i[p + tap], each lane its own sample's sum; leaves the lanes in <paramref name="xl"/> and <paramref name="dyl"/>.
    /// </summary>
    private void LaneGroup(int s0, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> db, Span<float> accumulators,
        Span<float> xl, Span<float> dyl, bool squared)
    {
        SampleLaneKernels.ToLanes(x[(s0 * Input.Size)..], Input.Size, Input.Size, xl, squared);
        SampleLaneKernels.ToLanes(dy[(s0 * Output.Size)..], Output.Size, Output.Size, dyl);
        for (int s = s0; s < s0 + SampleLaneKernels.Lanes; s++)
            for (int o = 0; o < Output.Channels; o++)
                db[o] += TensorPrimitives.Sum(dy.Slice(s * Output.Size + o * PlaneOut, PlaneOut));
        for (int i = 0; i < Input.Channels; i++)
            SampleLaneKernels.Gradients(xl.Slice(i * LanePlaneIn), dyl, _laneDyStarts[i], accumulators, _gradientAccumulators[i], Output.Width);
    }

    /// <summary>
    /// Map m of a correlation (and map m + 1 with it when <paramref name="pair"/>): each wide buffer
    /// starts at its map's value (a bias, or zero), takes the sums over the map's sources and
    /// kernels, and is copied out as the rows of <paramref name="planes"/>'s map. Returns the maps done.
    /// </summary>
    private int CorrelateMaps(bool pair, int m, ReadOnlySpan<float> src, int[][] sources, ReadOnlySpan<float> kernels, int[][] kernelStarts,
        float start, float startNext, Span<float> wide, Span<float> wideNext, int length, Span<float> planes, Shape shape)
    {
        int plane = shape.Height * shape.Width;
        wide.Fill(start);
        if (pair)
        {
            wideNext.Fill(startNext);
            ConvolutionKernels.CorrelatePair(_path, src, sources[m], Stride, kernels, kernelStarts[m], kernelStarts[m + 1], wide, wideNext, length);
            Rows.Copy(wideNext, Stride, planes.Slice((m + 1) * plane, plane), shape.Width, shape.Width, shape.Height);
        }
        else
        {
            ConvolutionKernels.Correlate(_path, src, sources[m], Stride, kernels, kernelStarts[m], wide, length);
        }
        Rows.Copy(wide, Stride, planes.Slice(m * plane, plane), shape.Width, shape.Width, shape.Height);
        return pair ? 2 : 1;
    }

    /// <summary>One sample's input planes into rows of <see cref="Stride"/> (squared for the curvature pass); the padding columns stay zero.</summary>
    private void CopyStrided(ReadOnlySpan<float> xs, Span<float> xcopy, bool squared)
    {
        Rows.Copy(xs, Input.Width, xcopy, Stride, Input.Width, Input.Channels * Input.Height);
        if (!squared) return;
        // squared in place: the padding columns are zero either way
        var strided = xcopy[..(Input.Channels * StridedPlane)];
        TensorPrimitives.Multiply(strided, strided, strided);
    }
}
