using System.CommandLine;
using System.Globalization;
using LeNet5.Bench;

namespace LeNet5.Cli.Commands;

internal static class BenchCommand
{
    public static Command Create()
    {
        var data = CommonOptions.Data();
        var threads = CommonOptions.Threads();
        var seconds = new Option<double>("--span") { Description = "seconds per timed span", DefaultValueFactory = _ => 1.0 };
        var noPool = new Option<bool>("--skip-nopool") { Description = "skip the (slow) lenet5-nopool and lenet5-nopool-fc training figures" };
        var layers = new Option<string?>("--layers") { Description = "instead: per-layer forward/backward time of one thread for this architecture" };
        var explain = new Option<bool>("--explain-only") { Description = "instead: only the explanation figures (saliency of a 280x280 drawing, input gradient, dreams, nudge)" };
        var prepare = new Option<bool>("--prepare-only") { Description = "instead: only the preparation figures (280x280 and 500x500 canvas PNGs to the 28x28, the decode alone, bytes allocated)" };
        var atlas = new Option<bool>("--atlas-only") { Description = "instead: only the atlas figures of each shipped model (fit time, neighbours sharing labels, placing time)" };
        var command = new Command("bench", "Measure training throughput, allocation per batch, inference, preparation and explanation latency on real MNIST.") { data, threads, seconds, noPool, layers, explain, prepare, atlas };
        command.SetAction(parse => CommonOptions.Guard(() =>
        {
            var dataset = CommonOptions.LoadData(parse.GetValue(data));
            Console.WriteLine($"machine: {Benchmark.Machine()}"); // every figure below belongs to this CPU and these kernels
            if (parse.GetValue(layers) is { } arch)
            {
                foreach (var line in LayerProfile.Run(dataset, arch)) Console.WriteLine(line);
                return 0;
            }
            if (parse.GetValue(atlas))
            {
                foreach (var r in AtlasBenchmark.Run(dataset)) Console.WriteLine($"{r.Name,-32} {r.Value,10:N2} {r.Unit,-3} {r.Detail}");
                return 0;
            }
            var options = new BenchmarkOptions(parse.GetValue(threads), SpanSeconds: parse.GetValue(seconds), IncludeNoPool: !parse.GetValue(noPool));
            if (parse.GetValue(explain) || parse.GetValue(prepare))
            {
                var only = parse.GetValue(explain) ? ExplainBenchmark.Run(dataset, options) : PreparationBenchmark.Run(dataset, options);
                foreach (var r in only) Console.WriteLine($"{r.Name,-24} {r.Value,14:N1} {r.Unit,-6} {r.Detail}");
                return 0;
            }
            var rows = Benchmark.Run(dataset, options, msg => Console.Error.WriteLine(msg));
            Console.WriteLine($"{"figure",-24} {"value",14} {"unit",-6} how");
            foreach (var r in rows) Console.WriteLine($"{r.Name,-24} {r.Value,14:N1} {r.Unit,-6} {r.Detail}");
            double Get(string name) => rows.First(r => r.Name == name).Value;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"train {Get("train lenet5"):0} img/s, infer-batch {Get("infer-batch"):0} img/s, infer-1 p50 {Get("infer-1 p50"):0.0} us"));
            return 0;
        }));
        return command;
    }
}
