using System.Diagnostics;
using System.Runtime.Intrinsics;
using LeNet5.Core.Data;
using LeNet5.Core.Models;
using LeNet5.Core.Networks;
using LeNet5.Core.Training;

namespace LeNet5.Bench;

/// <summary>What to measure and for how long.</summary>
public sealed record BenchmarkOptions(int Threads, int BatchSize = 256, int Spans = 7, double SpanSeconds = 1.0, bool IncludeNoPool = true, double PeakGflops = 0);

/// <summary>One measured figure.</summary>
public sealed record BenchmarkRow(string Name, double Value, string Unit, string Detail);

/// <summary>
/// The engine's speed figures, measured on real MNIST after a warm-up: training throughput
/// (forward + backward + update of one batch, the SDLM curvature pass excluded), allocation per
/// training batch, single-image inference latency, and batch inference throughput. Each throughput
/// is the median of several timed spans, so a burst of noise from a neighbour moves it little.
/// </summary>
public static class Benchmark
{
    public static IReadOnlyList<BenchmarkRow> Run(MnistDataset data, BenchmarkOptions options, Action<string>? progress = null)
    {
        var rows = new List<BenchmarkRow>();
        progress?.Invoke("the machine's FP32 peak ...");
        double peak = MachinePeak.MeasureGflops(options.Threads);
        rows.Add(new BenchmarkRow("fp32 peak", peak, "GFLOP/s", $"independent {(Vector512.IsHardwareAccelerated ? 512 : 256)}-bit fused multiply-adds on {options.Threads} threads, median of 3 spans"));
        options = options with { PeakGflops = peak };
        progress?.Invoke("training lenet5 ...");
        rows.AddRange(Training(data, new Architecture(Architecture.LeNet5), options, "lenet5"));
        progress?.Invoke("single-image inference ...");
        rows.AddRange(SingleImage(data, options));
        progress?.Invoke("batch inference ...");
        rows.Add(BatchInference(data, options));
        progress?.Invoke("explanations ...");
        rows.AddRange(PreparationBenchmark.Run(data, options));
        rows.AddRange(ExplainBenchmark.Run(data, options));
        if (options.IncludeNoPool)
        {
            foreach (var ablation in new[] { Architecture.NoPool, Architecture.NoPoolFc })
            {
                progress?.Invoke($"training {ablation} ...");
                rows.AddRange(Training(data, new Architecture(ablation), options with { Spans = 3 }, ablation).Take(1));
            }
        }
        return rows;
    }

    private static IEnumerable<BenchmarkRow> Training(MnistDataset data, Architecture arch, BenchmarkOptions options, string label)
    {
        var trainOptions = TrainingRecipes.For(arch) with { BatchSize = options.BatchSize, Threads = options.Threads, Epochs = 1 };
        using var trainer = new Trainer(arch, trainOptions, data);
        var order = Trainer.Permutation(data.Train.Count, 1, 1);
        trainer.PrepareLearningRates(order, 1);
        int batches = data.Train.Count / options.BatchSize, next = 0;
        void Step()
        {
            trainer.TrainBatch(order, next * options.BatchSize, options.BatchSize, 1);
            next = (next + 1) % batches;
        }

        // warm-up: let the JIT reach its final tier
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < options.SpanSeconds) Step();

        var rates = new List<double>();
        for (int span = 0; span < options.Spans; span++)
        {
            int steps = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < options.SpanSeconds)
            {
                Step();
                steps++;
            }
            rates.Add(steps * options.BatchSize / clock.Elapsed.TotalSeconds);
        }
        double gflops = Median(rates) * MachinePeak.TrainingFlopPerSample(arch) / 1e9;
        string share = options.PeakGflops > 0 ? $", {gflops:0.0} GFLOP/s = {100 * gflops / options.PeakGflops:0.0}% of the peak" : "";
        yield return new BenchmarkRow($"train {label}", Median(rates), "img/s",
            $"batch {options.BatchSize}, {options.Threads} threads, median of {rates.Count} spans (min {rates.Min():N0}, max {rates.Max():N0}); {MachinePeak.TrainingFlopPerSample(arch) / 1e6:0.00} MFLOP a sample{share}");

        // allocation: every thread's, over many steady-state batches
        const int measured = 50;
        long before = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < measured; i++) Step();
        long after = GC.GetTotalAllocatedBytes(precise: true);
        yield return new BenchmarkRow($"alloc/batch {label}", (after - before) / (double)measured, "bytes",
            $"GC.GetTotalAllocatedBytes over {measured} batches");
    }

    private static IEnumerable<BenchmarkRow> SingleImage(MnistDataset data, BenchmarkOptions options)
    {
        var arch = new Architecture(Architecture.LeNet5);
        var model = new LeNet5Model(arch, arch.Build().InitializeParameters(1));
        var inputs = new float[256 * InputEncoding.Size];
        for (int i = 0; i < 256; i++) InputEncoding.Encode(data.Test.Image(i), inputs.AsSpan(i * InputEncoding.Size, InputEncoding.Size));
        var warm = Stopwatch.StartNew();
        int k = 0;
        while (warm.Elapsed.TotalSeconds < options.SpanSeconds) model.Predict(inputs.AsSpan((k++ & 255) * InputEncoding.Size, InputEncoding.Size));

        const int calls = 20_000;
        var samples = new double[calls];
        for (int i = 0; i < calls; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            model.Predict(inputs.AsSpan((i & 255) * InputEncoding.Size, InputEncoding.Size));
            samples[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
        }
        Array.Sort(samples);
        yield return new BenchmarkRow("infer-1 p50", samples[calls / 2], "us", $"batch 1, one thread, {calls:N0} calls, the public Predict API");
        yield return new BenchmarkRow("infer-1 p99", samples[calls * 99 / 100], "us", "same calls");
    }

    private static BenchmarkRow BatchInference(MnistDataset data, BenchmarkOptions options)
    {
        var arch = new Architecture(Architecture.LeNet5);
        var network = arch.Build();
        var parameters = network.InitializeParameters(1);
        var workspaces = Enumerable.Range(0, options.Threads).Select(_ => network.CreateWorkspace(128)).ToArray();
        Evaluator.Evaluate(network, parameters, data.Test, options.Threads, workspaces); // warm-up
        var rates = new List<double>();
        for (int span = 0; span < options.Spans; span++)
        {
            var clock = Stopwatch.StartNew();
            var result = Evaluator.Evaluate(network, parameters, data.Test, options.Threads, workspaces);
            rates.Add(result.Count / clock.Elapsed.TotalSeconds);
        }
        return new BenchmarkRow("infer-batch", Median(rates), "img/s",
            $"10,000 test images in passes of {network.SamplesPerPass}, {options.Threads} threads, median of {rates.Count} passes");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    /// <summary>The CPU (its model name), its cores, the kernels the engine chose on it and the runtime: the line every bench mode starts with.</summary>
    public static string Machine() =>
        $"{CpuModel()}, {Environment.ProcessorCount} logical cores, kernels {LeNet5.Core.Kernels.KernelPaths.Fastest} " +
        $"(Vector512 {(Vector512.IsHardwareAccelerated ? "yes" : "no")}, Vector256 {(Vector256.IsHardwareAccelerated ? "yes" : "no")}: " +
        $"{LeNet5.Core.Kernels.KernelPaths.Describe(LeNet5.Core.Kernels.KernelPaths.Fastest)}), .NET {Environment.Version}";

    /// <summary>The processor's model name as Linux reports it (what lscpu prints), else the architecture.</summary>
    public static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null) return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // not Linux, or not readable: the architecture is what is known
        }
        return System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString();
    }
}

/// <summary>Per-layer timings of one thread's forward and backward passes, to see where the time goes.</summary>
public static class LayerProfile
{
    public static IEnumerable<string> Run(MnistDataset data, string architecture, int? batch = null, int? repeats = null)
    {
        // a few seconds either way: the ablations' wide layers take a hundred times longer a sample
        int rounds = repeats ?? (architecture == Architecture.LeNet5 ? 800 : 24);
        var network = new Architecture(architecture).Build();
        int n = batch ?? network.SamplesPerPass;
        var p = network.InitializeParameters(1);
        var g = new float[p.Length];
        var ws = network.CreateWorkspace(n);
        for (int i = 0; i < n; i++) InputEncoding.Encode(data.Train.Image(i), ws.Input.Slice(i * InputEncoding.Size, InputEncoding.Size));
        network.Forward(ws, p, n);
        var labels = data.Train.Labels.AsSpan(0, n).ToArray();
        network.Backward(ws, p, labels, n, g);
        var fwd = new double[network.Layers.Count];
        var bwd = new double[network.Layers.Count];
        var rng = new Random(3);
        var dy = network.Layers.Select(l => Enumerable.Range(0, n * l.Output.Size).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray()).ToArray();
        var dxs = network.Layers.Select(l => new float[n * l.Input.Size]).ToArray();
        for (int r = -rounds / 2; r < rounds; r++) // the first half warms the JIT up and is not counted
        {
            if (r == 0)
            {
                Array.Clear(fwd);
                Array.Clear(bwd);
            }
            for (int l = 0; l < network.Layers.Count; l++)
            {
                var layer = network.Layers[l];
                var pl = network.LayerSlice((ReadOnlySpan<float>)p, l);
                long t0 = Stopwatch.GetTimestamp();
                layer.Forward(n, pl, ws.Activation(l, n), ws.Activation(l + 1, n), ws.Scratch);
                fwd[l] += Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
                var dxl = l == 0 ? Span<float>.Empty : dxs[l];
                t0 = Stopwatch.GetTimestamp();
                layer.Backward(n, pl, ws.Activation(l, n), ws.Activation(l + 1, n), dy[l], dxl, network.LayerSlice(g.AsSpan(), l), ws.Scratch);
                bwd[l] += Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            }
        }
        for (int l = 0; l < network.Layers.Count; l++)
            yield return $"{network.Layers[l].Name,-10} forward {fwd[l] / rounds / n,8:0.00} us/img   backward {bwd[l] / rounds / n,8:0.00} us/img";
    }
}
