using LeNet5.Core.Networks;

namespace LeNet5.Core.Training;

/// <summary>
/// Elastic distortions (Simard, Steinkraus and Platt, "Best practices for convolutional neural
/// networks applied to visual document analysis", 2003): every pixel of the 32x32 input gets a random
/// displacement, uniform in [-1, 1] in x and in y, the two fields are smoothed by a Gaussian of
/// <see cref="Sigma"/> pixels (normalised, so a constant field stays constant) and scaled by
/// <see cref="Alpha"/>. With sigma 4 and alpha 34 (Simard's values for MNIST) the displacements are
/// about 1.4 pixels, varying smoothly over the digit: the wobble of a hand, not of a picture.
/// </summary>
public sealed class ElasticDistortion
{
    public static readonly ElasticDistortion Default = new();

    /// <summary>Salt of the sample's stream for its field, so the affine draws stay what they were.</summary>
    private const ulong Salt = 0xE1A5_71C0_0000_0001UL;

    private readonly float[] _kernel;

    public ElasticDistortion(float sigma = 4f, float alpha = 34f)
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

    /// <summary>Floats of scratch the smoothing needs.</summary>
    public const int ScratchSize = InputEncoding.Size;

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
    /// </summary>
    private void Smooth(Span<float> f, Span<float> tmp)
    {
        const int n = InputEncoding.Side;
        int radius = _kernel.Length / 2;
        ReadOnlySpan<float> kernel = _kernel;
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
            {
                float s = 0;
                int k0 = Math.Max(-radius, -c), k1 = Math.Min(radius, n - 1 - c);
                for (int k = k0; k <= k1; k++) s += kernel[k + radius] * f[r * n + c + k];
                tmp[r * n + c] = s;
            }
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
            {
                float s = 0;
                int k0 = Math.Max(-radius, -r), k1 = Math.Min(radius, n - 1 - r);
                for (int k = k0; k <= k1; k++) s += kernel[k + radius] * tmp[(r + k) * n + c];
                f[r * n + c] = Alpha * s;
            }
    }
}
