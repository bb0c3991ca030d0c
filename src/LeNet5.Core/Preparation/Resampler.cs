using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LeNet5.Core.Preparation;

/// <summary>
/// Resizes a region of a grey image, separably: when shrinking, each output pixel is the exact
/// average of the input area it covers (the anti-aliasing MNIST's own size normalisation used); when
/// enlarging, linear interpolation between pixel centres. Every input pixel is read once per pass
/// and weighs into at most two outputs, so the cost follows the region's size and never grows with
/// the scale factor, unlike a kernel widened by it.
/// </summary>
public static class Resampler
{
    /// <summary>
    /// Resizes <paramref name="region"/> of <paramref name="source"/> (an image <paramref name="stride"/>
    /// pixels wide) into <paramref name="target"/>, <paramref name="width"/> x <paramref name="height"/>,
    /// reading each level through <paramref name="levels"/> (256 entries).
    /// </summary>
    public static void Resize(ReadOnlySpan<byte> source, int stride, InkBox region, ReadOnlySpan<byte> levels, Span<byte> target, int width, int height)
    {
        if (levels.Length != 256) throw new ArgumentException("a level table has 256 entries", nameof(levels));
        if (target.Length != width * height) throw new ArgumentException($"expected room for {width}x{height}", nameof(target));
        if (region.X < 0 || region.Y < 0 || region.Width < 1 || region.Height < 1 || region.X + region.Width > stride
            || (long)(region.Y + region.Height - 1) * stride + region.X + region.Width > source.Length)
            throw new ArgumentOutOfRangeException(nameof(region), "the region lies outside the image");

        // every buffer is pooled: a preparation allocates nothing that grows with the image
        float[] across = ArrayPool<float>.Shared.Rent((region.Height + 3) * width);
        float[] weights = ArrayPool<float>.Shared.Rent(region.Width + region.Height + 2 * (width + height));
        var spans = ArrayPool<(int First, int Count, int At)>.Shared.Rent(width + height);
        try
        {
            var columns = new Taps(spans.AsSpan(0, width), weights.AsSpan(0, region.Width + 2 * width));
            var rows = new Taps(spans.AsSpan(width, height), weights.AsSpan(region.Width + 2 * width, region.Height + 2 * height));
            columns.Compute(region.Width);
            rows.Compute(region.Height);
            Span<float> level = stackalloc float[256];
            for (int g = 0; g < 256; g++) level[g] = levels[g];
            // horizontal pass: every row of the region, resized to the target's width
            ref float table = ref MemoryMarshal.GetReference(level);
            ref float weight = ref MemoryMarshal.GetReference(columns.Weights);
            var (inkLow, inkHigh) = InkRange(levels);
            // four rows at a time: they share their taps, so their four sums run as independent chains the CPU
            // overlaps, where one row's sums wait on each other; each sum still adds its terms in the same order.
            // A last block of fewer rows repeats the region's last row, into room beyond the rows read below.
            for (int y = 0; y < region.Height; y += 4)
            {
                ref byte line0 = ref Unsafe.AsRef(in source[(region.Y + y) * stride + region.X]);
                ref byte line1 = ref Unsafe.AsRef(in source[(region.Y + Math.Min(y + 1, region.Height - 1)) * stride + region.X]);
                ref byte line2 = ref Unsafe.AsRef(in source[(region.Y + Math.Min(y + 2, region.Height - 1)) * stride + region.X]);
                ref byte line3 = ref Unsafe.AsRef(in source[(region.Y + Math.Min(y + 3, region.Height - 1)) * stride + region.X]);
                var output = across.AsSpan(y * width, 4 * width);
                // an output whose inputs all read level 0 sums to exactly 0 (each product is +0): most of a drawing's
                // box is background, so only the outputs that reach the rows' inked stretch are summed
                var (inkFirst, inkLast) = InkedStretch(source, stride, region, y, inkLow, inkHigh);
                if (inkLast < 0)
                {
                    output.Clear();
                    continue;
                }
                for (int o = 0; o < width; o++)
                {
                    var (first, count, at) = columns.Spans[o];
                    float sum0 = 0, sum1 = 0, sum2 = 0, sum3 = 0;
                    if (first <= inkLast && first + count > inkFirst)
                    {
                        // the spans lie inside the region's rows and the weights' span: checked when the taps were computed
                        for (int k = 0, i = first; k < count; k++, i++)
                        {
                            float w = Unsafe.Add(ref weight, at + k);
                            sum0 += Unsafe.Add(ref table, Unsafe.Add(ref line0, i)) * w;
                            sum1 += Unsafe.Add(ref table, Unsafe.Add(ref line1, i)) * w;
                            sum2 += Unsafe.Add(ref table, Unsafe.Add(ref line2, i)) * w;
                            sum3 += Unsafe.Add(ref table, Unsafe.Add(ref line3, i)) * w;
                        }
                    }
                    (output[o], output[width + o], output[2 * width + o], output[3 * width + o]) = (sum0, sum1, sum2, sum3);
                }
            }
            // vertical pass: the resized rows combined into the target's rows, a whole row of sums at a time (in the
            // room past the rows) so the columns' sums are independent chains, each adding its terms in the same order
            var sums = across.AsSpan(region.Height * width, width);
            for (int o = 0; o < height; o++)
            {
                var (first, count, at) = rows.Spans[o];
                sums.Clear();
                for (int k = 0; k < count; k++)
                {
                    var input = across.AsSpan((first + k) * width, width);
                    float w = rows.Weights[at + k];
                    for (int x = 0; x < sums.Length; x++) sums[x] += input[x] * w;
                }
                var output = target.Slice(o * width, width);
                for (int x = 0; x < output.Length; x++) output[x] = (byte)Math.Clamp((int)(sums[x] + 0.5f), 0, 255);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(across);
            ArrayPool<float>.Shared.Return(weights);
            ArrayPool<(int, int, int)>.Shared.Return(spans);
        }
    }

    /// <summary>The first and last column of the region's rows <paramref name="y"/> to <paramref name="y"/> + 3 (those it has) whose level is in the range; last -1 when none is.</summary>
    private static (int First, int Last) InkedStretch(ReadOnlySpan<byte> source, int stride, InkBox region, int y, byte low, byte high)
    {
        int first = int.MaxValue, last = -1;
        for (int r = y; r < Math.Min(y + 4, region.Height); r++)
        {
            var segment = source.Slice((region.Y + r) * stride + region.X, region.Width);
            int at = segment.IndexOfAnyInRange(low, high);
            if (at < 0) continue;
            first = Math.Min(first, at);
            last = Math.Max(last, segment.LastIndexOfAnyInRange(low, high));
        }
        return (first, last);
    }

    /// <summary>
    /// The levels whose table entry is not 0, as one range when they form one (a stretch of ink levels
    /// always does); otherwise every level, so that nothing is taken for background.
    /// </summary>
    private static (byte Low, byte High) InkRange(ReadOnlySpan<byte> levels)
    {
        int low = levels.IndexOfAnyExcept((byte)0);
        if (low < 0) return (0, 255);
        int high = levels.LastIndexOfAnyExcept((byte)0);
        return levels[low..(high + 1)].Contains((byte)0) ? ((byte)0, (byte)255) : ((byte)low, (byte)high);
    }

    /// <summary>The inputs and weights of each output along one axis.</summary>
    private readonly ref struct Taps(Span<(int First, int Count, int At)> spans, Span<float> weights)
    {
        public readonly Span<(int First, int Count, int At)> Spans = spans;
        public readonly Span<float> Weights = weights;

        /// <summary>Fills the taps for <paramref name="inputs"/> inputs resized to as many outputs as there are spans.</summary>
        public void Compute(int inputs)
        {
            int outputs = Spans.Length, at = 0;
            if (inputs >= outputs)
            {
                // shrinking: output o covers inputs [o s, (o + 1) s); each input weighs by the length it shares with that
                double scale = (double)inputs / outputs;
                for (int o = 0; o < outputs; o++)
                {
                    double start = o * scale, end = (o + 1) * scale;
                    int first = (int)Math.Floor(start), last = Math.Min(inputs, (int)Math.Ceiling(end - 1e-9));
                    for (int i = first; i < last; i++)
                        Weights[at + i - first] = (float)((Math.Min(i + 1, end) - Math.Max(i, start)) / scale);
                    Spans[o] = (first, last - first, at);
                    at += last - first;
                }
            }
            else
            {
                // enlarging: output o's centre falls between two input centres; interpolate linearly
                double scale = (double)inputs / outputs;
                for (int o = 0; o < outputs; o++)
                {
                    double x = Math.Clamp((o + 0.5) * scale - 0.5, 0, inputs - 1);
                    int first = Math.Min((int)x, inputs - 1);
                    float f = (float)(x - first);
                    if (first + 1 < inputs && f > 0)
                    {
                        Weights[at] = 1 - f;
                        Weights[at + 1] = f;
                        Spans[o] = (first, 2, at);
                        at += 2;
                    }
                    else
                    {
                        Weights[at] = 1;
                        Spans[o] = (first, 1, at);
                        at += 1;
                    }
                }
            }
        }
    }
}
