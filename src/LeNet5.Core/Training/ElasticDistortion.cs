using System.Numerics.Tensors;
using LeNet5.Core.Networks;

namespace LeNet5.Core.Training;

/// <summary>
/// Elastic distortions (Simard, Steinkraus and Platt, "Best practices for convolutional neural
/// networks applied to visual document analysis", 2003): every pixel of the 32x32 input gets a random
/// displacement, uniform in [-1, 1] in x and in y, the two fields are smoothed by a Gaussian of
/// <see cref="Sigma"/> pixels (normalised, so a constant field stays constant) and scaled by
/// <see cref="Alpha"/>. The default is sigma 4, Simard's, and alpha 16, under half of Simard's 34:
/// displacements of about 0.65 pixels, varying smoothly over the digit, the wobble of a hand. At 34
/// (about 1.4 pixels) LeNet-5 cannot fit its training set (training error 3.6-3.8% however long it
/// trains) and tests below the affine distortions alone; with the affine ones, 40 epochs, the
/// paper's network tested at 99.31%, 99.36% and 99.20% for alpha 8, 16 and 24, and the softmax
/// network at 99.39% and 99.40% for 8 and 16 (docs/results.md).
/// </summary>
public sealed class ElasticDistortion
{
    public static readonly ElasticDistortion Default = new();

    /// <summary>Salt of the sample's stream for its field, so the affine draws stay what they were.</summary>
    private const ulong Salt = 0xE1A5_71C0_0000_0001UL;

    private readonly float[] _kernel;

    public ElasticDistortion(float sigma = 4f, float alpha = 16f)
    {
        if (!(sigma > 0) || !(alpha >= 0)) throw new ArgumentOutOfRangeException(nameof(sigma), "sigma must be positive and alpha not negative");
        Sigma = sigma;
        Alpha = alpha;
        // a truncated Gaussian of radius 3 sigma (at most the grid), normalised to sum 1
        int radius = Math.Min((int)MathF.Ceiling(3 * sigma), InputEncoding.Side - 1);
        _kernel = new float[2 * radius + 1];
        for (int k = -radius; k <= radius; k++) _kernel[k + radius] = MathF.Exp(-k * k / (2 * sigma * sigma));
        float sum = _kernel.Sum();
        for (int k = 0; k < _kernel.Length; k++) _kernel[k] /= sum;
    }

    public float Sigma { get; }
    public float Alpha { get; }

    /// <summary>Floats of a displacement field: x displacements of the 32x32 grid, then y.</summary>
    public const int FieldSize = 2 * InputEncoding.Size;

    /// <summary>Floats of scratch the smoothing needs: two planes padded by the kernel's radius on every side, and one padded row-wise.</summary>
    public int ScratchSize => 2 * PaddedSide * PaddedSide + InputEncoding.Side * PaddedSide;

    /// <summary>The normalised Gaussian, taps from -radius to radius.</summary>
    internal ReadOnlySpan<float> Kernel => _kernel;

    private int Radius => _kernel.Length / 2;
    private int PaddedSide => InputEncoding.Side + 2 * Radius;

    /// <summary>
    /// The sample's displacement field (a pure function of <paramref name="state"/>), into
    /// <paramref name="field"/> (<see cref="FieldSize"/> floats). Allocates nothing.
    /// </summary>
    public void Field(ulong state, Span<float> field, Span<float> scratch)
    {
        if (field.Length < FieldSize || scratch.Length < ScratchSize) throw new ArgumentException("field or scratch too small");
        state = Distortion.Substream(state, Salt);
        for (int i = 0; i < FieldSize; i++) field[i] = Distortion.Uniform(ref state, 1f);
        Smooth(field[..InputEncoding.Size], scratch);
        Smooth(field.Slice(InputEncoding.Size, InputEncoding.Size), scratch);
    }

    /// <summary>
    /// Separable Gaussian smoothing of one 32x32 field in place, times alpha; beyond the grid the
    /// field is taken as zero (as scipy's gaussian_filter with mode "constant", Simard's recipe).
    /// Each pass is one vector multiply-add per tap over a whole plane padded with zeros by the
    /// kernel's radius, so a tap past the grid adds an exact zero and every sum takes its terms in
    /// the order of the plain loop (<c>DistortionTests</c> holds it to that loop bit for bit).
    /// </summary>
    internal void Smooth(Span<float> f, Span<float> scratch)
    {
        const int n = InputEncoding.Side;
        int radius = Radius, side = PaddedSide;
        ReadOnlySpan<float> kernel = _kernel;
        var padded = scratch[..(side * side)];              // f with zero margins
        var across = scratch.Slice(side * side, side * side); // rows smoothed, zero rows above and below
        var down = scratch.Slice(2 * side * side, n * side);  // columns smoothed, in padded rows
        padded.Clear();
        across.Clear();
        down.Clear();
        for (int r = 0; r < n; r++) f.Slice(r * n, n).CopyTo(padded.Slice((radius + r) * side + radius, n));
        // across[r, c] = sum_k g[k] f[r, c + k - radius], for every position from the first to the last of the grid
        int first = radius * side + radius, length = (n - 1) * side + n;
        var acrossGrid = across.Slice(first, length);
        for (int k = 0; k < kernel.Length; k++)
            TensorPrimitives.MultiplyAdd(padded.Slice(first - radius + k, length), kernel[k], acrossGrid, acrossGrid);
        // down[r, c] = sum_k g[k] across[r + k - radius, c]
        var downGrid = down.Slice(radius, length);
        for (int k = 0; k < kernel.Length; k++)
            TensorPrimitives.MultiplyAdd(across.Slice(k * side + radius, length), kernel[k], downGrid, downGrid);
        for (int r = 0; r < n; r++) TensorPrimitives.Multiply(down.Slice(r * side + radius, n), Alpha, f.Slice(r * n, n));
    }
}
