using System.Numerics.Tensors;

namespace LeNet5.Core.Layers;

/// <summary>
/// The matrix kernels shared by fully connected layers and by a convolution whose kernel covers its
/// whole input (C5 of LeNet-5): y = W x + b over a batch, W stored row-major [outputs, inputs].
/// Loops run over row blocks of the inputs so a block of W and of the batch stay in cache together.
/// </summary>
internal static class Dense
{
    private const int Block = 2048;

    /// <summary>y[s,o] = b[o] + W[o,:] . x[s,:]</summary>
    public static void Forward(int n, int inputs, int outputs, ReadOnlySpan<float> w, ReadOnlySpan<float> b,
        ReadOnlySpan<float> x, Span<float> y)
    {
        for (int s = 0; s < n; s++) b[..outputs].CopyTo(y.Slice(s * outputs, outputs));
        for (int k0 = 0; k0 < inputs; k0 += Block)
        {
            int k = Math.Min(Block, inputs - k0);
            for (int s = 0; s < n; s++)
            {
                var xs = x.Slice(s * inputs + k0, k);
                var ys = y.Slice(s * outputs, outputs);
                for (int o = 0; o < outputs; o++) ys[o] += TensorPrimitives.Dot(w.Slice(o * inputs + k0, k), xs);
            }
        }
    }

    /// <summary>dW[o,:] += sum_s dy[s,o] x[s,:]; db[o] += sum_s dy[s,o]; dx[s,:] = sum_o dy[s,o] W[o,:]</summary>
    public static void Backward(int n, int inputs, int outputs, ReadOnlySpan<float> w, ReadOnlySpan<float> x,
        ReadOnlySpan<float> dy, Span<float> dx, Span<float> dw, Span<float> db)
    {
        for (int s = 0; s < n; s++)
            TensorPrimitives.Add(db[..outputs], dy.Slice(s * outputs, outputs), db[..outputs]);
        if (!dx.IsEmpty) dx[..(n * inputs)].Clear();
        for (int k0 = 0; k0 < inputs; k0 += Block)
        {
            int k = Math.Min(Block, inputs - k0);
            for (int o = 0; o < outputs; o++)
            {
                var dwo = dw.Slice(o * inputs + k0, k);
                for (int s = 0; s < n; s++)
                {
                    float g = dy[s * outputs + o];
                    if (g != 0) TensorPrimitives.MultiplyAdd(x.Slice(s * inputs + k0, k), g, dwo, dwo);
                }
            }
            if (dx.IsEmpty) continue;
            for (int s = 0; s < n; s++)
            {
                var dxs = dx.Slice(s * inputs + k0, k);
                for (int o = 0; o < outputs; o++)
                {
                    float g = dy[s * outputs + o];
                    if (g != 0) TensorPrimitives.MultiplyAdd(w.Slice(o * inputs + k0, k), g, dxs, dxs);
                }
            }
        }
    }

    /// <summary>
    /// hW[o,:] += sum_s d2y[s,o] x[s,:]^2; hb[o] += sum_s d2y[s,o]; d2x[s,:] = sum_o d2y[s,o] W[o,:]^2
    /// (paper eqs. 26-27). <paramref name="scratch"/> holds a block of squared inputs and of squared weights.
    /// </summary>
    public static void Curvature(int n, int inputs, int outputs, ReadOnlySpan<float> w, ReadOnlySpan<float> x,
        ReadOnlySpan<float> d2y, Span<float> d2x, Span<float> hw, Span<float> hb, Span<float> scratch)
    {
        for (int s = 0; s < n; s++)
            TensorPrimitives.Add(hb[..outputs], d2y.Slice(s * outputs, outputs), hb[..outputs]);
        if (!d2x.IsEmpty) d2x[..(n * inputs)].Clear();
        var sq = scratch[..Block];
        for (int k0 = 0; k0 < inputs; k0 += Block)
        {
            int k = Math.Min(Block, inputs - k0);
            for (int s = 0; s < n; s++)
            {
                TensorPrimitives.Multiply(x.Slice(s * inputs + k0, k), x.Slice(s * inputs + k0, k), sq[..k]);
                for (int o = 0; o < outputs; o++)
                {
                    var hwo = hw.Slice(o * inputs + k0, k);
                    TensorPrimitives.MultiplyAdd(sq[..k], d2y[s * outputs + o], hwo, hwo);
                }
            }
            if (d2x.IsEmpty) continue;
            for (int o = 0; o < outputs; o++)
            {
                TensorPrimitives.Multiply(w.Slice(o * inputs + k0, k), w.Slice(o * inputs + k0, k), sq[..k]);
                for (int s = 0; s < n; s++)
                {
                    var d2xs = d2x.Slice(s * inputs + k0, k);
                    TensorPrimitives.MultiplyAdd(sq[..k], d2y[s * outputs + o], d2xs, d2xs);
                }
            }
        }
    }

    public const int ScratchSize = Block;
}
