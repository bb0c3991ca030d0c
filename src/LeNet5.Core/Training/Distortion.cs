using LeNet5.Core.Networks;

namespace LeNet5.Core.Training;

/// <summary>
/// Random affine distortions of training digits, as in the paper's distorted runs (section III-C):
/// translation, scaling, squeezing (x stretched while y is compressed, or the reverse), horizontal
/// shearing, plus a small rotation. The digit is resampled bilinearly into the 32x32 input.
/// </summary>
public sealed record Distortion(float MaxShift = 2f, float MaxScale = 0.1f, float MaxSqueeze = 0.15f, float MaxShear = 0.2f, float MaxRotationDegrees = 8f)
{
    public static readonly Distortion Default = new();

    /// <summary>
    /// The random stream of one sample in one epoch: a pure function of (seed, epoch, sample), so a
    /// run gives the same images whatever the thread count or the order samples are processed in.
    /// </summary>
    public static ulong SampleState(int seed, int epoch, int sample)
    {
        ulong z = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ (ulong)(uint)epoch * 0xBF58476D1CE4E5B9UL ^ (ulong)(uint)sample * 0x94D049BB133111EBUL;
        return SplitMix(ref z);
    }

    /// <summary>A second stream of the same sample, independent of the first (for another kind of distortion).</summary>
    public static ulong Substream(ulong state, ulong salt)
    {
        ulong z = state ^ salt;
        return SplitMix(ref z);
    }

    internal static ulong SplitMix(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [-limit, limit).</summary>
    internal static float Uniform(ref ulong state, float limit) =>
        ((SplitMix(ref state) >> 40) / (float)(1 << 24) * 2f - 1f) * limit;

    /// <summary>Writes a randomly distorted, encoded copy of <paramref name="digit28"/> into <paramref name="input32"/>.</summary>
    public void Apply(ReadOnlySpan<byte> digit28, Span<float> input32, ulong state) => Resample(digit28, input32, Draw(state), default);

    /// <summary>The random affine map of a sample's stream.</summary>
    public AffineMap Draw(ulong state)
    {
        float scale = 1f + Uniform(ref state, MaxScale);
        float squeeze = 1f + Uniform(ref state, MaxSqueeze);
        float sx = scale * squeeze, sy = scale / squeeze;
        float shear = Uniform(ref state, MaxShear);
        float angle = Uniform(ref state, MaxRotationDegrees) * MathF.PI / 180f;
        float tx = Uniform(ref state, MaxShift), ty = Uniform(ref state, MaxShift);
        float cos = MathF.Cos(angle), sin = MathF.Sin(angle);
        // forward map M = R * Shear * Scale; the source is sampled at M^-1 (dst - centre - t) + centre
        float m00 = cos * sx, m01 = cos * shear * sy - sin * sy;
        float m10 = sin * sx, m11 = sin * shear * sy + cos * sy;
        float det = m00 * m11 - m01 * m10;
        return new AffineMap(m11 / det, -m01 / det, -m10 / det, m00 / det, tx, ty);
    }

    /// <summary>
    /// Encodes <paramref name="digit28"/> into the 32x32 input, each input pixel sampled bilinearly
    /// from the digit at the inverse affine map of its position, displaced first by
    /// <paramref name="field"/> (x displacements of the 32x32 grid, then y; empty: none).
    /// </summary>
    public static void Resample(ReadOnlySpan<byte> digit28, Span<float> input32, in AffineMap map, ReadOnlySpan<float> field)
    {
        const float c32 = 15.5f, c28 = 13.5f;
        const int side = InputEncoding.Side;
        bool displaced = !field.IsEmpty;
        for (int r = 0; r < side; r++)
            for (int c = 0; c < side; c++)
            {
                int i = r * side + c;
                float dx = c - c32 - map.Tx, dy = r - c32 - map.Ty;
                if (displaced)
                {
                    dx += field[i];
                    dy += field[InputEncoding.Size + i];
                }
                float u = map.I00 * dx + map.I01 * dy + c28, v = map.I10 * dx + map.I11 * dy + c28;
                input32[i] = InputEncoding.Level(Bilinear(digit28, u, v));
            }
    }

    private static float Bilinear(ReadOnlySpan<byte> img, float x, float y)
    {
        int x0 = (int)MathF.Floor(x), y0 = (int)MathF.Floor(y);
        float fx = x - x0, fy = y - y0;
        return (Px(img, x0, y0) * (1 - fx) + Px(img, x0 + 1, y0) * fx) * (1 - fy)
             + (Px(img, x0, y0 + 1) * (1 - fx) + Px(img, x0 + 1, y0 + 1) * fx) * fy;
    }

    private static float Px(ReadOnlySpan<byte> img, int x, int y) => (uint)x < 28 && (uint)y < 28 ? img[y * 28 + x] : 0f;
}

/// <summary>
/// The inverse of a distortion's affine map (the 2x2 matrix I and the translation T of the
/// destination): a destination pixel d samples the source at I (d - centre - T) + centre.
/// </summary>
public readonly record struct AffineMap(float I00, float I01, float I10, float I11, float Tx, float Ty)
{
    public static readonly AffineMap Identity = new(1, 0, 0, 1, 0, 0);

    /// <summary>The same map, with the source shrunk (or grown) by <paramref name="factor"/> about the centre.</summary>
    public AffineMap Scaled(float factor) => this with { I00 = I00 / factor, I01 = I01 / factor, I10 = I10 / factor, I11 = I11 / factor };
}
