using System.Numerics.Tensors;

namespace LeNet5.Core.Kernels;

/// <summary>
/// The matrix kernels shared by fully connected layers and by a convolution whose kernel covers its
/// whole input (C5 of LeNet-5): y = W x + b over a batch, W stored row-major [outputs, inputs].
/// Loops run over row blocks of the inputs so a block of W and of the batch stay in cache together.
/// </summary>
internal static class Dense
{
    private const int Block = 1024;

    /// <summary>y[s,o] = b[o] + W[o,:] . x[s,:]</summary>
    public static void Forward(KernelPath path, int n, int inputs, int outputs, ReadOnlySpan<float> w, ReadOnlySpan<float> b,
        ReadOnlySpan<float> x, Span<float> y)
    {
        for (int s = 0; s < n; s++) b[..outputs].CopyTo(y.Slice(s * outputs, outputs));
        bool blocks = path == KernelPath.Vector512;
        // with AVX-512, 4x4 blocks of (sample, output) take the bulk; the edges go one dot at a time
        int sBlocks = blocks ? n / 4 * 4 : 0, oBlocks = blocks ? outputs / 4 * 4 : 0;
        Span<float> sums = stackalloc float[16];
        for (int k0 = 0; k0 < inputs; k0 += Block)
        {
            int k = Math.Min(Block, inputs - k0);
            for (int s = 0; s < sBlocks; s += 4)
                for (int o = 0; o < oBlocks; o += 4)
                {
                    DenseKernels.Dot4x4(x, w, inputs, s, o, k0, k0 + k, sums);
                    for (int i = 0; i < 4; i++)
                        for (int j = 0; j < 4; j++) y[(s + i) * outputs + o + j] += sums[i * 4 + j];
                }
            for (int s = 0; s < n; s++)
            {
                var xs = x.Slice(s * inputs + k0, k);
                var ys = y.Slice(s * outputs, outputs);
                int o = s < sBlocks ? oBlocks : 0;
                // a sample outside the 4x4 blocks: 8 outputs at a time
                for (; blocks && s >= sBlocks && o + 8 <= outputs; o += 8)
                {
                    DenseKernels.Dot1x8(x, w, inputs, s, o, k0, k0 + k, sums);
                    for (int j = 0; j < 8; j++) ys[o + j] += sums[j];
                }
                for (; o < outputs; o++) ys[o] += TensorPrimitives.Dot(w.Slice(o * inputs + k0, k), xs);
            }
        }
    }

    /// <summary>
    /// Floats of the weights laid out for one sample at a time (<see cref="Pack"/>): with AVX-512, Wᵀ and the biases with
    /// the outputs padded to whole vectors; none on the portable path, which reads W as it is.
    /// </summary>
    public static int PackedSize(KernelPath path, int inputs, int outputs) =>
        path == KernelPath.Vector512 ? (inputs + 1) * PackedStride(outputs) : 0;

    private static int PackedStride(int outputs) => (outputs + 15) / 16 * 16;

    /// <summary>packed[k, o] = W[o, k] for k &lt; inputs, packed[inputs, o] = b[o], rows of <see cref="PackedStride"/> floats (zero past the outputs).</summary>
    public static void Pack(KernelPath path, int inputs, int outputs, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> packed)
    {
        if (path != KernelPath.Vector512) return;
        int stride = PackedStride(outputs);
        packed[..PackedSize(path, inputs, outputs)].Clear();
        for (int o = 0; o < outputs; o++)
        {
            var row = w.Slice(o * inputs, inputs);
            for (int k = 0; k < inputs; k++) packed[k * stride + o] = row[k];
        }
        b[..outputs].CopyTo(packed.Slice(inputs * stride, outputs));
    }

    /// <summary>
    /// y = W x + b for one sample from the weights <see cref="Pack"/> laid out: up to 128 outputs at a time, each block of
    /// outputs streaming its columns of Wᵀ once (<see cref="DenseKernels.ColumnSums"/>). Without a packed copy, <see cref="Forward"/>.
    /// </summary>
    public static void ForwardPacked(KernelPath path, int inputs, int outputs, ReadOnlySpan<float> w, ReadOnlySpan<float> b,
        ReadOnlySpan<float> packed, ReadOnlySpan<float> x, Span<float> y)
    {
        if (path != KernelPath.Vector512 || packed.IsEmpty)
        {
            Forward(path, 1, inputs, outputs, w, b, x, y);
            return;
        }
        int stride = PackedStride(outputs);
        Span<float> sums = stackalloc float[8 * 16];
        for (int o = 0; o < outputs; o += sums.Length)
        {
            int vectors = Math.Min(8, (stride - o) / 16);
            switch (vectors)
            {
                case 1: DenseKernels.ColumnSums<Width1>(packed, stride, o, x, inputs, sums); break;
                case 2: DenseKernels.ColumnSums<Width2>(packed, stride, o, x, inputs, sums); break;
                case 3: DenseKernels.ColumnSums<Width3>(packed, stride, o, x, inputs, sums); break;
                case 4: DenseKernels.ColumnSums<Width4>(packed, stride, o, x, inputs, sums); break;
                case 5: DenseKernels.ColumnSums<Width5>(packed, stride, o, x, inputs, sums); break;
                case 6: DenseKernels.ColumnSums<Width6>(packed, stride, o, x, inputs, sums); break;
                case 7: DenseKernels.ColumnSums<Width7>(packed, stride, o, x, inputs, sums); break;
                default: DenseKernels.ColumnSums<Width8>(packed, stride, o, x, inputs, sums); break;
            }
            int count = Math.Min(sums.Length, outputs - o);
            sums[..count].CopyTo(y.Slice(o, count));
        }
    }

    /// <summary>dW[o,:] += sum_s dy[s,o] x[s,:]; db[o] += sum_s dy[s,o]; dx[s,:] = sum_o dy[s,o] W[o,:]</summary>
    public static void Backward(KernelPath path, int n, int inputs, int outputs, ReadOnlySpan<float> w, ReadOnlySpan<float> x,
        ReadOnlySpan<float> dy, Span<float> dx, Span<float> dw, Span<float> db)
    {
        for (int s = 0; s < n; s++)
            TensorPrimitives.Add(db[..outputs], dy.Slice(s * outputs, outputs), db[..outputs]);
        if (!dx.IsEmpty) dx[..(n * inputs)].Clear();
        for (int k0 = 0; k0 < inputs; k0 += Block)
            BackwardBlock(path, n, inputs, outputs, new(w, inputs, 0), new(x, inputs, 0), dy, dx, dw, k0, Math.Min(Block, inputs - k0));
    }

    /// <summary>A matrix whose element (row, k) is at Values[row * Stride + k - Shift]: a whole one, or a block of columns from Shift.</summary>
    private readonly ref struct Matrix(ReadOnlySpan<float> values, int stride, int shift)
    {
        public readonly ReadOnlySpan<float> Values = values;
        public readonly int Stride = stride, Shift = shift;
        public ReadOnlySpan<float> Row(int row, int k, int length) => Values.Slice(row * Stride + k - Shift, length);
    }

    /// <summary>
    /// The backward products over inputs [k0, k0 + k): dW[o, :] += sum_s dy[s,o] x[s, :] and
    /// dx[s, :] += sum_o dy[s,o] W[o, :], with x and W read through <see cref="Matrix"/> (so the
    /// curvature pass can hand in squared blocks).
    /// </summary>
    private static void BackwardBlock(KernelPath path, int n, int inputs, int outputs, Matrix w, Matrix x,
        ReadOnlySpan<float> dy, Span<float> dx, Span<float> dw, int k0, int k)
    {
        bool blocks = path == KernelPath.Vector512;
        int oBlocks = blocks ? outputs / 4 * 4 : 0, sBlocks = blocks ? n / 4 * 4 : 0;
        // dW rows, eight (or four) at a time: dW[o..o+7, k] += sum_s dy[s, o..o+7] x[s, k]
        for (int o = 0, rows; o < oBlocks; o += rows)
        {
            rows = o + 8 <= oBlocks ? 8 : 4;
            int done = rows == 8
                ? DenseKernels.OuterProduct<Width8>(dw, inputs, o, x.Values, x.Stride, dy, outputs, 1, n, k0, k0 + k, x.Shift)
                : DenseKernels.OuterProduct<Width4>(dw, inputs, o, x.Values, x.Stride, dy, outputs, 1, n, k0, k0 + k, x.Shift);
            for (int j = 0; j < rows; j++)
                for (int s = 0; s < n; s++)
                    AddScaled(x.Row(s, done, k0 + k - done), dy[s * outputs + o + j], dw.Slice((o + j) * inputs + done, k0 + k - done));
        }
        for (int o = oBlocks; o < outputs; o++)
        {
            var dwo = dw.Slice(o * inputs + k0, k);
            for (int s = 0; s < n; s++) AddScaled(x.Row(s, k0, k), dy[s * outputs + o], dwo);
        }
        if (dx.IsEmpty) return;
        // dx rows, eight (or four) samples at a time: dx[s..s+7, k] += sum_o dy[s..s+7, o] W[o, k]
        for (int s = 0, rows; s < sBlocks; s += rows)
        {
            rows = s + 8 <= sBlocks ? 8 : 4;
            int done = rows == 8
                ? DenseKernels.OuterProduct<Width8>(dx, inputs, s, w.Values, w.Stride, dy, 1, outputs, outputs, k0, k0 + k, w.Shift)
                : DenseKernels.OuterProduct<Width4>(dx, inputs, s, w.Values, w.Stride, dy, 1, outputs, outputs, k0, k0 + k, w.Shift);
            for (int i = 0; i < rows; i++)
                for (int o = 0; o < outputs; o++)
                    AddScaled(w.Row(o, done, k0 + k - done), dy[(s + i) * outputs + o], dx.Slice((s + i) * inputs + done, k0 + k - done));
        }
        for (int s = sBlocks; s < n; s++)
        {
            var dxs = dx.Slice(s * inputs + k0, k);
            for (int o = 0; o < outputs; o++) AddScaled(w.Row(o, k0, k), dy[s * outputs + o], dxs);
        }
    }

    private static void AddScaled(ReadOnlySpan<float> x, float scale, Span<float> target)
    {
        if (scale != 0 && !x.IsEmpty) TensorPrimitives.MultiplyAdd(x, scale, target, target);
    }

    /// <summary>
    /// hW[o,:] += sum_s d2y[s,o] x[s,:]^2; hb[o] += sum_s d2y[s,o]; d2x[s,:] = sum_o d2y[s,o] W[o,:]^2
    /// (paper eqs. 26-27): the backward products on squared blocks of W and x, which
    /// <paramref name="scratch"/> holds (<see cref="ScratchSize"/>).
    /// </summary>
    public static void Curvature(KernelPath path, int n, int inputs, int outputs, ReadOnlySpan<float> w, ReadOnlySpan<float> x,
        ReadOnlySpan<float> d2y, Span<float> d2x, Span<float> hw, Span<float> hb, Span<float> scratch)
    {
        for (int s = 0; s < n; s++)
            TensorPrimitives.Add(hb[..outputs], d2y.Slice(s * outputs, outputs), hb[..outputs]);
        if (!d2x.IsEmpty) d2x[..(n * inputs)].Clear();
        if (scratch.Length < ScratchSize(outputs)) throw new ArgumentException("scratch too short for the squared blocks");
        for (int k0 = 0; k0 < inputs; k0 += Block)
        {
            int k = Math.Min(Block, inputs - k0);
            var sqW = scratch[..(outputs * k)];
            var sqX = scratch.Slice(outputs * Block, CurvatureGroup * k);
            for (int o = 0; o < outputs; o++)
                TensorPrimitives.Multiply(w.Slice(o * inputs + k0, k), w.Slice(o * inputs + k0, k), sqW.Slice(o * k, k));
            // the samples a group at a time, so the squared inputs fit the scratch
            for (int g0 = 0; g0 < n; g0 += CurvatureGroup)
            {
                int m = Math.Min(CurvatureGroup, n - g0);
                for (int s = 0; s < m; s++)
                    TensorPrimitives.Multiply(x.Slice((g0 + s) * inputs + k0, k), x.Slice((g0 + s) * inputs + k0, k), sqX.Slice(s * k, k));
                BackwardBlock(path, m, inputs, outputs, new(sqW, k, k0), new(sqX, k, k0), d2y[(g0 * outputs)..],
                    d2x.IsEmpty ? d2x : d2x[(g0 * inputs)..], hw, k0, k);
            }
        }
    }

    private const int CurvatureGroup = 32;

    /// <summary>Floats of scratch a dense layer of <paramref name="outputs"/> outputs needs: a block of squared weights and one of squared inputs.</summary>
    public static int ScratchSize(int outputs) => Block * (outputs + CurvatureGroup);
}
