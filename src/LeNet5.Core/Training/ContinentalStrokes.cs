namespace LeNet5.Core.Training;

/// <summary>
/// MNIST's 1s and 7s as continental writers make them: a training 1 given a flag down from its top
/// and, often, a base; a training 7 given a crossbar through its stem. The strokes are drawn on the
/// MNIST digit itself, along its own stem and with its own pen width, so the network learns that a
/// flag makes a 1 (not a 7) and a crossbar leaves a 7 a 7. Drawn afresh each epoch for
/// <see cref="Share"/> of the 1s and 7s; other digits are left alone.
/// </summary>
public static class ContinentalStrokes
{
    private const int Side = 28;

    /// <summary>How many of the 1s and 7s get the strokes: a third, so MNIST's own forms stay the commoner.</summary>
    public const double Share = 1.0 / 3;

    /// <summary>
    /// Writes the sample's continental form into <paramref name="result"/> and returns true, or
    /// returns false when it keeps MNIST's form (not a 1 or a 7, not drawn this epoch, or no stem found).
    /// </summary>
    public static bool Apply(ReadOnlySpan<byte> digit, int label, ulong state, Span<byte> result)
    {
        if (label is not (1 or 7)) return false;
        state = Distortion.Substream(state, 0xC0_17_1E_47_A1_0000_03UL);
        if ((Distortion.SplitMix(ref state) >> 11) * (1.0 / (1UL << 53)) >= Share) return false;
        if (Stem(digit) is not var ((topX, topY), (bottomX, bottomY), mass)) return false;
        float length = MathF.Sqrt((topX - bottomX) * (topX - bottomX) + (topY - bottomY) * (topY - bottomY));
        if (length < 8) return false;
        digit.CopyTo(result);
        // the digit's own pen: its ink spread along the stem's length (MNIST's pens are 1.5-3 px across)
        float radius = Math.Clamp(mass / (2.2f * length), 0.8f, 2.2f);
        float downX = (bottomX - topX) / length, downY = (bottomY - topY) / length;
        if (label == 1)
        {
            // the flag leaves the top down and to the left, 30-60 degrees off the stem, a quarter to half its length
            float angle = (30 + 30 * Unit(ref state)) * MathF.PI / 180;
            float flag = length * (0.25f + 0.25f * Unit(ref state));
            var (ax, ay) = Rotate(downX, downY, angle);
            var (bx, by) = Rotate(downX, downY, -angle);
            var (fx, fy) = ax < bx ? (ax, ay) : (bx, by);
            Data.PenTest.Segment(result, Side, topX, topY, topX + fx * flag, topY + fy * flag, radius);
            if (Unit(ref state) < 0.6f)
            {
                // a base across the foot, a third to a half of the stem long
                float half = length * (0.17f + 0.08f * Unit(ref state));
                Data.PenTest.Segment(result, Side, bottomX - half, bottomY, bottomX + half, bottomY, radius);
            }
        }
        else
        {
            // the crossbar crosses the stem near its middle, level, a third of the stem long or more
            float t = 0.45f + 0.15f * Unit(ref state);
            float cx = topX + (bottomX - topX) * t, cy = topY + (bottomY - topY) * t;
            float half = length * (0.17f + 0.08f * Unit(ref state));
            Data.PenTest.Segment(result, Side, cx - half, cy, cx + half, cy, radius);
        }
        return true;
    }

    /// <summary>
    /// Where the stem starts and ends: the ink-weighted centre of the top rows (a 7: of the top bar's
    /// right half, where its stem leaves it) and of the bottom rows; with the digit's ink mass (in full pixels).
    /// </summary>
    private static ((float X, float Y) Top, (float X, float Y) Bottom, float Mass)? Stem(ReadOnlySpan<byte> digit)
    {
        int first = -1, last = -1;
        float mass = 0;
        for (int y = 0; y < Side; y++)
            for (int x = 0; x < Side; x++)
            {
                int v = digit[y * Side + x];
                if (v < 128) continue;
                if (first < 0) first = y;
                last = y;
                mass += v / 255f;
            }
        if (first < 0 || last - first < 8) return null;
        var top = RowCentre(digit, first, first + 2, rightmost: true);
        var bottom = RowCentre(digit, last - 2, last, rightmost: false);
        return top is { } t && bottom is { } b ? (t, b, mass) : null;
    }

    /// <summary>The ink-weighted centre of rows [from, to]; with <paramref name="rightmost"/>, of each row's rightmost run of ink only.</summary>
    private static (float X, float Y)? RowCentre(ReadOnlySpan<byte> digit, int from, int to, bool rightmost)
    {
        float sum = 0, sx = 0, sy = 0;
        for (int y = from; y <= to; y++)
        {
            int end = Side - 1, start = 0;
            if (rightmost)
            {
                while (end >= 0 && digit[y * Side + end] < 128) end--;
                for (start = end; start > 0 && digit[y * Side + start - 1] >= 64; start--) { }
            }
            for (int x = Math.Max(start, 0); x <= end; x++)
            {
                float v = digit[y * Side + x];
                sum += v;
                sx += v * x;
                sy += v * y;
            }
        }
        return sum > 0 ? (sx / sum, sy / sum) : null;
    }

    private static (float X, float Y) Rotate(float x, float y, float angle) =>
        (x * MathF.Cos(angle) - y * MathF.Sin(angle), x * MathF.Sin(angle) + y * MathF.Cos(angle));

    private static float Unit(ref ulong state) => (Distortion.SplitMix(ref state) >> 40) / (float)(1 << 24);
}
