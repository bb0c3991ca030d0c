using System.Diagnostics;
using LeNet5.Core.Data;
using LeNet5.Core.Explanation;
using LeNet5.Core.Models;
using LeNet5.Core.Networks;
using LeNet5.Core.Recognition;
using LeNet5.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace LeNet5.Bench;

/// <summary>
/// The server time of an explanation (the goal: at most 2 ms for a 280x280 drawing): what
/// <c>POST /api/explain</c> does without HTTP, i.e. decode and prepare the image, forward, and the
/// evidence's backward pass to the pixels; and the gradient pass alone, a dream set and a nudge.
/// </summary>
public static class ExplainBenchmark
{
    public static IEnumerable<BenchmarkRow> Run(MnistDataset data, BenchmarkOptions options)
    {
        var arch = new Architecture(Architecture.LeNet5);
        var model = new LeNet5Model(arch, arch.Build().InitializeParameters(1));
        var recognizer = new DigitRecognizer(new DigitImagePreparer(), RejectPolicy.Default);
        var images = Enumerable.Range(0, 16).Select(i => Drawing(data.Test.Image(i))).ToArray();
        var gradient = new float[784];

        double[] Time(int calls, Action<int> call)
        {
            var warm = Stopwatch.StartNew();
            for (int i = 0; warm.Elapsed.TotalSeconds < options.SpanSeconds / 2; i++) call(i);
            var samples = new double[calls];
            for (int i = 0; i < calls; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                call(i);
                samples[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            }
            Array.Sort(samples);
            return samples;
        }

        // as the endpoint: a pooled pass, a fresh saliency array per answer
        var pass = new EvidenceGradient(model);
        var explain = Time(1000, i =>
        {
            var pixels = recognizer.Recognize(model, images[i & 15]).Pixels;
            pass.Compute(pixels, 3, new float[784]);
        });
        yield return new BenchmarkRow("explain-280 p50", explain[500], "us", "decode + prepare a 280x280 PNG drawing, forward, evidence backward to the pixels; 1,000 calls, one thread");
        yield return new BenchmarkRow("explain-280 p99", explain[990], "us", "same calls");
        var predict = Time(1000, i => recognizer.Recognize(model, images[i & 15]));
        yield return new BenchmarkRow("predict-280 p50", predict[500], "us", "the same images through the recognizer alone (what /api/predict pays): the difference is the explanation's own cost");

        var digits = Enumerable.Range(0, 16).Select(i => Array.ConvertAll(data.Test.Image(i).ToArray(), b => (float)b)).ToArray();
        var backward = Time(5000, i => pass.Compute(digits[i & 15], 3, gradient));
        yield return new BenchmarkRow("input-gradient p50", backward[2500], "us", "forward + backward to the 28x28 of a prepared digit, one reused pass; 5,000 calls");

        var dream = Stopwatch.StartNew();
        Dreams.All(model);
        yield return new BenchmarkRow("dreams", dream.Elapsed.TotalMilliseconds, "ms", $"all ten digits, {DreamSettings.Default.Steps} steps each, once per model");

        var nudges = Time(20, i => Nudge.Toward(model, digits[i & 15], (data.Test.Labels[i & 15] + 5) % 10));
        yield return new BenchmarkRow("nudge p50", nudges[10] / 1000, "ms", $"label+5 target, at most {NudgeSettings.Default.MaxSteps} steps; 20 calls (untrained weights)");
    }

    private static byte[] Drawing(ReadOnlySpan<byte> digit28)
    {
        using var image = Image.LoadPixelData<L8>(digit28.ToArray(), 28, 28).CloneAs<Rgba32>();
        image.Mutate(c => c.Resize(280, 280, KnownResamplers.Bicubic).Invert());
        using var stream = new MemoryStream();
        image.SaveAsPng(stream);
        return stream.ToArray();
    }
}
