using System.Diagnostics;
using LeNet5.Core;
using LeNet5.Core.Data;
using LeNet5.Core.Models;
using LeNet5.Core.Preparation;
using LeNet5.Core.Recognition;
using LeNet5.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace LeNet5.Bench;

/// <summary>
/// The cost of turning a drawing into the network's 28x28 (the goal: at most 0.25 ms p50 for a 280x280
/// canvas PNG, 1 ms for a 500x500 one, on one core): the whole preparation (decode, ink map, box, fit,
/// centre), the decode alone beside it, and the bytes each allocates, for canvases as the page sends
/// them (black ink on transparent pixels).
/// </summary>
public static class PreparationBenchmark
{
    public static IEnumerable<BenchmarkRow> Run(MnistDataset data, BenchmarkOptions options)
    {
        var preparer = new DigitImagePreparer();
        var configuration = DigitImagePreparer.CreateConfiguration(preparer.Limits.AllocationLimitMegabytes);
        var drawings = Path.Combine(RepositoryRoot.Find() ?? ".", "bench", "canvas");
        foreach (int side in (int[])[280, 500])
        {
            // what the page sends: digits drawn and exported by Chromium (bench/canvas/draw.sh), whose encoder filters every row with Up
            var page = Directory.GetFiles(drawings, $"*-{side}.png").Order().Select(File.ReadAllBytes).ToArray();
            if (page.Length == 0) throw new FileNotFoundException($"no {side}px drawings in {drawings}; run bench/canvas/draw.sh");
            var prepare = Time(options, i => preparer.Prepare(page[i % page.Length]));
            var decode = Time(options, i => Image.Load<La16>(configuration, page[i % page.Length]).Dispose());
            yield return new BenchmarkRow($"prepare-{side} p50", prepare.P50, "us",
                $"{page.Length} {side}x{side} page drawings (Chromium PNGs, {page.Average(p => p.Length) / 1024:0.0} KB) to the 28x28, one thread; p99 {prepare.P99:0} us");
            yield return new BenchmarkRow($"prepare-{side} alloc", prepare.Bytes, "B", "allocated per preparation, pooled buffers reused");
            yield return new BenchmarkRow($"imagesharp-{side} p50", decode.P50, "us", $"ImageSharp's decode alone of the same PNGs (the general path); p99 {decode.P99:0} us");
            // a model trained with its own steps (deskew, a redrawn pen) has them applied after the layout
            foreach (var steps in (DigitNormalisation[])[new(Deskew: false, NormaliseStrokes: true), new(Deskew: true, NormaliseStrokes: false)])
            {
                var normalised = Time(options, i => steps.Apply(preparer.Prepare(page[i % page.Length])));
                yield return new BenchmarkRow($"prepare-{side} {steps} p50", normalised.P50, "us",
                    $"the same, then the model's step '{steps}' (a model trained with it does this to every input); {normalised.P50 / prepare.P50:0.00}x preparing alone");
            }
            if (side == 280)
            {
                // the whole answer to a drawing: by the default model alone, and by the shipped committee it leads
                var committee = ShippedModels.Committee.Select(name => ModelFile.Load(ShippedModels.Resolve(name))).ToArray();
                var recognizer = new DigitRecognizer(preparer, RejectPolicy.Default);
                var alone = Time(options, i => recognizer.Recognize(committee[0], page[i % page.Length]));
                var together = Time(options, i => recognizer.Recognize(committee, page[i % page.Length]));
                yield return new BenchmarkRow($"recognise-{side} alone p50", alone.P50, "us", $"the same drawings prepared and read by {ShippedModels.DefaultName} alone; p99 {alone.P99:0} us");
                yield return new BenchmarkRow($"recognise-{side} committee p50", together.P50, "us",
                    $"read by the shipped committee ({string.Join(", ", ShippedModels.Committee)}); {together.P50 / alone.P50:0.00}x alone; p99 {together.P99:0} us");
            }
            // the worst case for the fast path: an encoder that filters every row with Paeth (ImageSharp's), on MNIST digits scaled up
            var paeth = Enumerable.Range(0, 16).Select(i => Canvas(data.Test.Image(i), side)).ToArray();
            var hard = Time(options, i => preparer.Prepare(paeth[i & 15]));
            yield return new BenchmarkRow($"prepare-{side} paeth p50", hard.P50, "us", $"16 MNIST digits as {side}x{side} canvases, PNGs from ImageSharp's encoder (Paeth rows); p99 {hard.P99:0} us");
        }
    }

    private static (double P50, double P99, double Bytes) Time(BenchmarkOptions options, Action<int> call)
    {
        var warm = Stopwatch.StartNew();
        int calls = 0;
        for (; warm.Elapsed.TotalSeconds < options.SpanSeconds / 2; calls++) call(calls);
        calls = Math.Clamp(calls, 200, 5000);
        var samples = new double[calls];
        long bytes = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < calls; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            call(i);
            samples[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
        }
        bytes = GC.GetAllocatedBytesForCurrentThread() - bytes;
        Array.Sort(samples);
        return (samples[calls / 2], samples[calls * 99 / 100], (double)bytes / calls);
    }

    /// <summary>An MNIST digit as the page's canvas holds a drawing: black ink whose opacity is the ink, on transparent pixels.</summary>
    private static byte[] Canvas(ReadOnlySpan<byte> digit28, int side)
    {
        using var ink = Image.LoadPixelData<L8>(digit28.ToArray(), 28, 28);
        ink.Mutate(c => c.Resize(side, side, KnownResamplers.Bicubic));
        using var canvas = new Image<Rgba32>(side, side);
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++)
                canvas[x, y] = new Rgba32(0, 0, 0, ink[x, y].PackedValue);
        using var stream = new MemoryStream();
        canvas.SaveAsPng(stream);
        return stream.ToArray();
    }
}
