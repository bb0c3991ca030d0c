namespace LeNet5.Core.Preparation;

/// <summary>
/// Stroke-width normalisation: a laid-out digit's ink reduced to its medial axis (a one-pixel
/// skeleton, each pixel with its distance to the paper) and redrawn with every radius scaled so the
/// digit's typical stroke has MNIST's width, then laid out again as MNIST would. A hairline, a
/// felt-tip and a fat marker come out with the same strokes, so a network trained on normalised
/// digits never meets a pen it was not trained on; what is wider than the digit's own stroke (a
/// blob where a fat pen filled a loop, a lump of a flag) stays wider in proportion, so no shape is
/// lost. The work is done at twice MNIST's resolution (56x56), where the axis can sit between the
/// 28x28 grid's pixels:
/// <list type="number">
/// <item>the 28x28 digit upsampled bilinearly and cut into solid strokes (<see cref="SolidInk"/>, <see cref="HoleInk"/>);</item>
/// <item>each stroke pixel's distance to the paper (a 3-4 chamfer distance transform);</item>
/// <item>the strokes thinned to their skeleton by Zhang and Suen's parallel thinning (1984), which
/// keeps every stroke connected and every hole open;</item>
/// <item>a disk stamped at every skeleton pixel, its radius the pixel's own stroke radius times
/// <see cref="PenRadius"/> over the digit's median stroke radius, antialiased over a pixel;</item>
/// <item>the redrawn ink fitted into the 20x20 box and centred by mass (<see cref="MnistLayout.Lay"/>).</item>
/// </list>
/// A model trained with it records so, and every face (web, CLI, evaluation, atlas) applies it to
/// that model's inputs.
/// </summary>
public static class StrokeNormalisation
{
    /// <summary>The working resolution: twice MNIST's.</summary>
    public const int Side = 2 * MnistLayout.Side;

    /// <summary>
    /// The median stroke's radius at 56x56 once redrawn, chosen so the normalised MNIST test digits
    /// carry about as much ink as MNIST's own: strokes about 2.6 pixels wide back at 28x28.
    /// </summary>
    public const float PenRadius = 2.4f;

    /// <summary>How much wider than the median stroke a part must be (at 56x56) to be kept wider: less is the pen's own wobble.</summary>
    public const float Lump = 1f;

    /// <summary>The largest radius redrawn, at 56x56: a blob half the box across.</summary>
    public const float MaxRadius = 10f;

    /// <summary>
    /// The lowest cut between paper and solid stroke, of 255: a quarter ink, so a faint hairline
    /// stays one unbroken stroke. A digit's own cut is half its mean stroke level (the pixels above
    /// this one), so a fat pen's narrow gaps, whose levels a quarter ink would fill, stay open; inside
    /// a hole of the digit (background that half ink would enclose) the cut is at least
    /// <see cref="HoleInk"/>, so small loops stay open too.
    /// </summary>
    public const int SolidInk = 64;

    /// <summary>Where solid stroke begins inside a hole: half ink.</summary>
    public const int HoleInk = 128;

    // A padded grid: one background pixel around the 56x56, so every neighbourhood is in bounds.
    private const int Stride = Side + 2;

    // Radii are drawn in steps of a quarter pixel, each step's antialiased disk made once.
    private const int RadiusSteps = 4;
    private static readonly bool[] FirstPassDeletes = DeletionTable(first: true);
    private static readonly bool[] SecondPassDeletes = DeletionTable(first: false);
    private static readonly (sbyte Dx, sbyte Dy, byte Ink)[][] Pens =
        [.. Enumerable.Range(0, (int)(MaxRadius * RadiusSteps) + 1).Select(step => PenStamp((float)step / RadiusSteps))];

    /// <summary>The digit with its strokes redrawn at MNIST's width; a copy when it has no solid ink.</summary>
    public static byte[] Apply(ReadOnlySpan<byte> digit28)
    {
        if (digit28.Length != MnistLayout.Pixels) throw new ArgumentException($"expected {MnistLayout.Pixels} pixels", nameof(digit28));
        Span<byte> solid = stackalloc byte[Stride * Stride];
        Span<short> ink = stackalloc short[Side * Side];
        int count = Solidify(digit28, solid, ink);
        if (count == 0) return digit28.ToArray();
        Span<byte> distance = stackalloc byte[Stride * Stride];
        Chamfer(solid, distance);
        count = Thin(solid, ink, count);
        var redrawn = new byte[Side * Side];
        Redraw(ink[..count], distance, redrawn);
        return MnistLayout.Lay(redrawn, Side, Side, Identity) ?? digit28.ToArray();
    }

    /// <summary>
    /// Each solid pixel's distance to the nearest paper pixel, in thirds of a pixel (a 3-4 chamfer:
    /// 3 a step across, 4 a step diagonally; Borgefors 1986), in two raster passes; paper is 0.
    /// </summary>
    private static void Chamfer(ReadOnlySpan<byte> solid, Span<byte> distance)
    {
        for (int p = 0; p < distance.Length; p++) distance[p] = solid[p] == 0 ? (byte)0 : byte.MaxValue;
        for (int y = 1; y < Stride - 1; y++)
            for (int p = y * Stride + 1, end = p + Side; p < end; p++)
                if (distance[p] != 0)
                    distance[p] = (byte)Math.Min(Math.Min(distance[p - 1] + 3, distance[p - Stride] + 3),
                        Math.Min(Math.Min(distance[p - Stride - 1] + 4, distance[p - Stride + 1] + 4), 255));
        for (int y = Stride - 2; y >= 1; y--)
            for (int p = y * Stride + Side, start = y * Stride + 1; p >= start; p--)
                if (distance[p] != 0)
                    distance[p] = (byte)Math.Min(Math.Min(distance[p], distance[p + 1] + 3),
                        Math.Min(distance[p + Stride] + 3, Math.Min(distance[p + Stride - 1] + 4, distance[p + Stride + 1] + 4)));
    }

    private static readonly InkLevels Identity = new(Inverted: false, Background: 0, Range: 255);

    /// <summary>
    /// Upsamples bilinearly and marks the pixels at or above <see cref="SolidInk"/>, listing them (as
    /// padded indices) in <paramref name="ink"/>. A 56x56 pixel's centre sits a quarter of a 28x28
    /// pixel from the nearest source centre, so its level is (9 near + 3 beside + 3 above or below + 1
    /// diagonal) / 16 of the four source pixels around it: whole numbers, no division.
    /// </summary>
    private static int Solidify(ReadOnlySpan<byte> digit, Span<byte> solid, Span<short> ink)
    {
        const int side = MnistLayout.Side, padded = side + 2;
        // the digit with a background border, so every source neighbour exists
        Span<short> source = stackalloc short[padded * padded];
        source.Clear();
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++)
                source[(y + 1) * padded + x + 1] = digit[y * side + x];
        Span<bool> hole = stackalloc bool[padded * padded];
        FindHoles(source, padded, hole);
        long strokeSum = 0, strokeCount = 0;
        foreach (var v in digit)
            if (v >= SolidInk)
            {
                strokeSum += v;
                strokeCount++;
            }
        if (strokeCount == 0) return 0;
        int cut = Math.Max(SolidInk, (int)(strokeSum / (2 * strokeCount))), holeCut = Math.Max(cut, HoleInk);
        int count = 0;
        for (int y = 0; y < Side; y++)
        {
            // the source row nearest this row's centre, and the row on its other side
            int near = (y >> 1) + 1, far = (y & 1) == 0 ? near - 1 : near + 1;
            var nearRow = source.Slice(near * padded, padded);
            var farRow = source.Slice(far * padded, padded);
            for (int x = 0; x < Side; x++)
            {
                int column = (x >> 1) + 1, other = (x & 1) == 0 ? column - 1 : column + 1;
                int level = 9 * nearRow[column] + 3 * (nearRow[other] + farRow[column]) + farRow[other];
                if (level < 16 * (hole[near * padded + column] ? holeCut : cut)) continue;
                int p = (y + 1) * Stride + x + 1;
                solid[p] = 1;
                ink[count++] = (short)p;
            }
        }
        return count;
    }

    /// <summary>
    /// Marks the source pixels below <see cref="HoleInk"/> that the digit encloses: those the padded
    /// border cannot reach through other such pixels (4-connected, as background goes around 8-connected ink).
    /// </summary>
    private static void FindHoles(ReadOnlySpan<short> source, int padded, Span<bool> hole)
    {
        Span<bool> outside = stackalloc bool[padded * padded];
        Span<short> stack = stackalloc short[padded * padded];
        int top = 0;
        outside[0] = true;
        stack[top++] = 0;
        while (top > 0)
        {
            int p = stack[--top], x = p % padded, y = p / padded;
            if (x > 0) Visit(p - 1, source, outside, stack, ref top);
            if (x < padded - 1) Visit(p + 1, source, outside, stack, ref top);
            if (y > 0) Visit(p - padded, source, outside, stack, ref top);
            if (y < padded - 1) Visit(p + padded, source, outside, stack, ref top);
        }
        for (int p = 0; p < hole.Length; p++) hole[p] = !outside[p] && source[p] < HoleInk;

        static void Visit(int q, ReadOnlySpan<short> source, Span<bool> outside, Span<short> stack, ref int top)
        {
            if (outside[q] || source[q] >= HoleInk) return;
            outside[q] = true;
            stack[top++] = (short)q;
        }
    }

    /// <summary>
    /// Zhang-Suen thinning: two sub-passes, repeated until neither deletes a pixel. Each deletes at
    /// once every contour pixel whose neighbourhood allows it (<see cref="DeletionTable"/>). Returns
    /// how many pixels remain, compacted at the front of <paramref name="ink"/>.
    /// </summary>
    private static int Thin(Span<byte> solid, Span<short> ink, int count)
    {
        Span<short> doomed = stackalloc short[count];
        bool changed = true;
        while (changed)
        {
            changed = false;
            foreach (var table in (ReadOnlySpan<bool[]>)[FirstPassDeletes, SecondPassDeletes])
            {
                int marked = 0, kept = 0;
                for (int i = 0; i < count; i++)
                {
                    int p = ink[i];
                    if (table[Neighbourhood(solid, p)]) doomed[marked++] = (short)p;
                    else ink[kept++] = (short)p;
                }
                // the pass decides on the image as it was, then deletes
                foreach (var p in doomed[..marked]) solid[p] = 0;
                count = kept;
                changed |= marked > 0;
            }
        }
        return count;
    }

    /// <summary>
    /// The eight neighbours as bits, clockwise from the north: P2 (N) bit 0, P3 (NE) bit 1, P4 (E),
    /// P5 (SE), P6 (S), P7 (SW), P8 (W), P9 (NW) bit 7, in Zhang and Suen's names.
    /// </summary>
    private static int Neighbourhood(ReadOnlySpan<byte> solid, int p) =>
        solid[p - Stride] | solid[p - Stride + 1] << 1 | solid[p + 1] << 2 | solid[p + Stride + 1] << 3
        | solid[p + Stride] << 4 | solid[p + Stride - 1] << 5 | solid[p - 1] << 6 | solid[p - Stride - 1] << 7;

    /// <summary>
    /// Zhang and Suen's rule for each of the 256 neighbourhoods: delete when 2 &lt;= B &lt;= 6 (B the
    /// ink neighbours: not an end point, not interior), A = 1 (one background-to-ink change around the
    /// pixel: deleting it keeps its neighbours connected), and, in the first pass, P2 P4 P6 = 0 and
    /// P4 P6 P8 = 0 (a south or east contour pixel); in the second, P2 P4 P8 = 0 and P2 P6 P8 = 0 (north or west).
    /// </summary>
    private static bool[] DeletionTable(bool first)
    {
        var table = new bool[256];
        for (int code = 0; code < 256; code++)
        {
            bool P(int n) => (code >> (n - 2) & 1) == 1;
            int b = System.Numerics.BitOperations.PopCount((uint)code);
            int a = 0;
            for (int n = 2; n <= 9; n++) a += !P(n) && P(n == 9 ? 2 : n + 1) ? 1 : 0;
            bool contour = first
                ? !(P(2) && P(4) && P(6)) && !(P(4) && P(6) && P(8))
                : !(P(2) && P(4) && P(8)) && !(P(2) && P(6) && P(8));
            table[code] = b is >= 2 and <= 6 && a == 1 && contour;
        }
        return table;
    }

    /// <summary>An antialiased disk: each offset within reach of its centre with its ink, full inside the radius, fading over the next pixel.</summary>
    private static (sbyte Dx, sbyte Dy, byte Ink)[] PenStamp(float radius)
    {
        int reach = (int)MathF.Ceiling(radius + 0.5f);
        var stamp = new List<(sbyte, sbyte, byte)>();
        for (int dy = -reach; dy <= reach; dy++)
            for (int dx = -reach; dx <= reach; dx++)
            {
                float ink = Math.Clamp(radius + 0.5f - MathF.Sqrt(dx * dx + dy * dy), 0f, 1f);
                if (ink > 0) stamp.Add(((sbyte)dx, (sbyte)dy, (byte)MathF.Round(ink * 255)));
            }
        return [.. stamp];
    }

    /// <summary>
    /// Stamps a disk at every skeleton pixel (a padded index), keeping the strongest ink where stamps
    /// overlap. A stroke whose axis lies d (in thirds) from the paper was r = d / 3 - 1/2 pixels in
    /// radius. The digit's median stroke and everything thinner is drawn at <see cref="PenRadius"/>;
    /// what is wider by more than <see cref="Lump"/> (a blob, a lump) keeps its excess, shrunk as much
    /// as the median was when the pen was fat.
    /// </summary>
    private static void Redraw(ReadOnlySpan<short> skeleton, ReadOnlySpan<byte> distance, Span<byte> canvas)
    {
        Span<int> histogram = stackalloc int[256];
        histogram.Clear();
        foreach (int p in skeleton) histogram[distance[p]]++;
        int median = 0;
        for (int seen = 0; seen * 2 < skeleton.Length; median++) seen += histogram[median];
        float medianRadius = Math.Max((median - 1) / 3f - 0.5f, 0.5f);
        float shrink = Math.Min(1f, PenRadius / medianRadius);
        foreach (int p in skeleton)
        {
            float excess = Math.Max(0f, distance[p] / 3f - 0.5f - medianRadius - Lump);
            float radius = Math.Min(PenRadius + excess * shrink, MaxRadius);
            int x = p % Stride - 1, y = p / Stride - 1;
            foreach (var (dx, dy, ink) in Pens[(int)MathF.Round(radius * RadiusSteps)])
            {
                int xx = x + dx, yy = y + dy;
                if ((uint)xx >= Side || (uint)yy >= Side) continue;
                ref byte q = ref canvas[yy * Side + xx];
                if (q < ink) q = ink;
            }
        }
    }
}
