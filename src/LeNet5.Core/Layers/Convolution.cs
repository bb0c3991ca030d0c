using System.Numerics.Tensors;
using LeNet5.Core.Kernels;

namespace LeNet5.Core.Layers;

/// <summary>
/// A 5x5 valid convolution (cross-correlation, stride 1) whose output maps each see a chosen set of
/// input maps: all of them for C1 and C5, the paper's sparse table for C3 (Table I). Parameters are
/// one 5x5 kernel per connection, in table order, then one bias per output map.
/// <para>
/// Each kernel tap is applied to a whole output map at once: the output is computed in "wide" rows
/// as long as the input's (the last K-1 columns of each row are discarded), so tap (r, c) becomes a
/// single contiguous multiply-add y_wide[p] += k[r,c] x[p + r W + c] over (H_out-1) W + W_out floats.
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
    }

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
    private int WideLength => (Output.Height - 1) * Input.Width + Output.Width;
    private int PlaneIn => Input.Height * Input.Width;
    private int PlaneOut => Output.Height * Output.Width;

    // Scratch, per thread: the sample's input copied with a zero tail (the padded kernels read past
    // the last plane), the wide output rows, dy in wide rows with margins for gathering dx, dx planes
    // each padded to whole vectors (the kernels write past a plane's end), and transformed kernels.
    private int Margin => ConvolutionKernels.Reach(Input.Width);
    private int InputCopyLength => Input.Size + Margin + 16;
    private int WideCapacity => ConvolutionKernels.Padded(WideLength);
    private int PaddedDyLength => Margin + WideLength + Margin + 16;
    private int DxPlaneStride => ConvolutionKernels.Padded(PlaneIn);

    public override int ScratchSize =>
        Math.Max(InputCopyLength + WideCapacity + PaddedDyLength + Input.Channels * DxPlaneStride + WeightCount
                 + _connections * ConvolutionKernels.AccumulatorLength, Dense.ScratchSize);

    public override void Initialize(Span<float> p, Random rng)
    {
        for (int o = 0; o < Output.Channels; o++)
        {
            int fanIn = _table[o].Length * K * K;
            FillUniform(p.Slice(_kernelStart[o] * K * K, _table[o].Length * K * K), 2.4f / fanIn, rng);
            p[WeightCount + o] = (float)((rng.NextDouble() * 2 - 1) * 2.4 / fanIn);
        }
    }

    public override void Forward(int n, ReadOnlySpan<float> p, ReadOnlySpan<float> x, Span<float> y, Span<float> scratch)
    {
        var w = p[..WeightCount];
        var b = p.Slice(WeightCount, Output.Channels);
        if (_dense)
        {
            Dense.Forward(_path, n, Input.Size, Output.Channels, w, b, x, y);
            return;
        }
        int L = WideLength, W = Input.Width;
        var xcopy = scratch[..InputCopyLength];
        var wide = scratch.Slice(InputCopyLength, WideCapacity);
        xcopy[Input.Size..].Clear();
        for (int s = 0; s < n; s++)
        {
            x.Slice(s * Input.Size, Input.Size).CopyTo(xcopy);
            var ys = y.Slice(s * Output.Size, Output.Size);
            for (int o = 0; o < Output.Channels; o++)
            {
                // y_o = b_o + sum_{i in table[o]} k_{o,i} * x_i   (valid cross-correlation)
                wide.Fill(b[o]);
                var row = _table[o];
                for (int c = 0; c < row.Length; c++)
                    ConvolutionKernels.Correlate(_path, xcopy[(row[c] * PlaneIn)..], W, w.Slice((_kernelStart[o] + c) * K * K, K * K), wide, L);
                var yo = ys.Slice(o * PlaneOut, PlaneOut);
                for (int r = 0; r < Output.Height; r++)
                    wide.Slice(r * W, Output.Width).CopyTo(yo.Slice(r * Output.Width, Output.Width));
            }
        }
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
            Dense.Curvature(n, Input.Size, Output.Channels, w, x, d2y, d2x, hp[..WeightCount], hp.Slice(WeightCount, Output.Channels), scratch);
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
        int L = WideLength, W = Input.Width;
        int at = 0;
        Span<float> Take(Span<float> buffer, int length)
        {
            var part = buffer.Slice(at, length);
            at += length;
            return part;
        }
        var xcopy = Take(scratch, InputCopyLength);
        Take(scratch, WideCapacity);
        var padded = Take(scratch, PaddedDyLength);
        var dxPlanes = Take(scratch, Input.Channels * DxPlaneStride);
        var flipped = Take(scratch, WeightCount);
        var accumulators = Take(scratch, _connections * ConvolutionKernels.AccumulatorLength);
        accumulators.Clear();
        var wide = padded.Slice(Margin, L);
        // flipped[c][tap] = k[c][24 - tap] (squared for the curvature pass)
        for (int c = 0; c < _connections; c++)
            for (int t = 0; t < K * K; t++)
            {
                float v = w[c * K * K + K * K - 1 - t];
                flipped[c * K * K + t] = squared ? v * v : v;
            }
        var dw = dp[..WeightCount];
        var db = dp.Slice(WeightCount, Output.Channels);
        padded.Clear();
        xcopy[Input.Size..].Clear();
        for (int s = 0; s < n; s++)
        {
            var xs = x.Slice(s * Input.Size, Input.Size);
            if (squared) TensorPrimitives.Multiply(xs, xs, xcopy[..Input.Size]);
            else xs.CopyTo(xcopy);
            var dys = dy.Slice(s * Output.Size, Output.Size);
            bool wantDx = !dx.IsEmpty;
            if (wantDx) dxPlanes.Clear();
            for (int o = 0; o < Output.Channels; o++)
            {
                var dyo = dys.Slice(o * PlaneOut, PlaneOut);
                db[o] += TensorPrimitives.Sum(dyo);
                // spread dy into wide rows; the discarded columns and the margins stay zero
                for (int r = 0; r < Output.Height; r++)
                    dyo.Slice(r * Output.Width, Output.Width).CopyTo(wide.Slice(r * W, Output.Width));
                var row = _table[o];
                for (int c = 0; c < row.Length; c++)
                {
                    int kIndex = (_kernelStart[o] + c) * K * K;
                    ConvolutionKernels.Gradient(_path, padded[Margin..], xcopy[(row[c] * PlaneIn)..], W, dw.Slice(kIndex, K * K),
                        accumulators.Slice((_kernelStart[o] + c) * ConvolutionKernels.AccumulatorLength, ConvolutionKernels.AccumulatorLength), L);
                    if (wantDx)
                        ConvolutionKernels.Correlate(_path, padded, W, flipped.Slice(kIndex, K * K), dxPlanes.Slice(row[c] * DxPlaneStride, DxPlaneStride), PlaneIn);
                }
            }
            if (!wantDx) continue;
            var dxs = dx.Slice(s * Input.Size, Input.Size);
            for (int c = 0; c < Input.Channels; c++)
                dxPlanes.Slice(c * DxPlaneStride, PlaneIn).CopyTo(dxs.Slice(c * PlaneIn, PlaneIn));
        }
        ConvolutionKernels.Collect(_path, accumulators, dw, _connections);
    }
}
