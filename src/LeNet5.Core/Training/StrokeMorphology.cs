namespace LeNet5.Core.Training;

/// <summary>
/// Stroke-width changes of a 28x28 digit as Morpho-MNIST makes them (Castro et al., 2019): thickening
/// is a grey-level dilation (each pixel the maximum over a disk around it), thinning an erosion (the
/// minimum). A disk of radius 1 is the 3x3 cross, 1.5 the 3x3 square, 2 and 2.5 the 5x5 disks.
/// </summary>
public static class StrokeMorphology
{
    private const int Side = 28;

    /// <summary>
    /// The training augmentation's choices of signed radius (negative: erosion), one drawn per sample:
    /// half of the draws leave the digit as it is, so MNIST's own pens stay the commonest.
    /// </summary>
    public static readonly float[] TrainingRadii = [-1f, -1f, 0f, 0f, 0f, 1f, 1.5f, 2f];

    /// <summary>Dilation (radius &gt; 0), erosion (radius &lt; 0) or a copy (0) of <paramref name="digit"/> into <paramref name="result"/>.</summary>
    public static void Apply(ReadOnlySpan<byte> digit, Span<byte> result, float radius)
    {
        if (digit.Length != Side * Side || result.Length < Side * Side) throw new ArgumentException("expected 28x28 digits");
        Apply(digit, Side, Side, result, radius);
    }

    /// <summary>The same on an image of any size.</summary>
    public static void Apply(ReadOnlySpan<byte> image, int width, int height, Span<byte> result, float radius)
    {
        if (radius == 0)
        {
            image.Slice(0, width * height).CopyTo(result);
            return;
        }
        bool dilate = radius > 0;
        float r2 = radius * radius;
        int reach = (int)MathF.Floor(MathF.Abs(radius));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int best = dilate ? 0 : 255;
                for (int dy = -reach; dy <= reach; dy++)
                    for (int dx = -reach; dx <= reach; dx++)
                    {
                        if (dx * dx + dy * dy > r2) continue;
                        int xx = x + dx, yy = y + dy;
                        // outside the field is background
                        int v = (uint)xx < width && (uint)yy < height ? image[yy * width + xx] : 0;
                        best = dilate ? Math.Max(best, v) : Math.Min(best, v);
                    }
                result[y * width + x] = (byte)best;
            }
    }

    /// <summary>
    /// How much to shrink a digit dilated by <paramref name="radius"/> so its ink keeps MNIST's 20-pixel
    /// box (dilation grows the box by the radius on each side), as the drawing page's preparation would.
    /// </summary>
    public static float RefitScale(float radius) => radius > 0 ? 20f / (20f + 2f * MathF.Floor(radius)) : 1f;

    /// <summary>A sample's radius from its stream.</summary>
    public static float Draw(ulong state)
    {
        state = Distortion.Substream(state, 0x5770_CE00_0000_0002UL);
        return TrainingRadii[(int)(Distortion.SplitMix(ref state) % (ulong)TrainingRadii.Length)];
    }
}
