using System.Diagnostics;
using System.Globalization;
using LeNet5.Core;
using LeNet5.Core.Data;
using LeNet5.Core.Layers;
using LeNet5.Core.Models;
using LeNet5.Core.Networks;
using LeNet5.Core.Parallelism;
using LeNet5.Onnx;
using Microsoft.ML.OnnxRuntime;

// Our engine and ONNX Runtime on the same model, the same digits and the same run:
// single-image latency (one thread each) and batch-256 throughput (the same threads each).
// Usage: dotnet run -c Release --project bench/LeNet5.OnnxPeer [-- --model PATH --threads N --span SECONDS]
string modelPath = Option("--model") ?? Path.Combine(RepositoryRoot.Find() ?? ".", "models", "lenet5.safetensors");
int threads = int.Parse(Option("--threads") ?? Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
double span = double.Parse(Option("--span") ?? "1", CultureInfo.InvariantCulture);
const int batch = 256, spans = 5;

var model = ModelFile.Load(modelPath);
var fetcher = new MnistFetcher(MnistLocation.DefaultDirectory());
fetcher.EnsureAvailable(Console.Error.WriteLine);
var test = MnistDataset.Load(fetcher.DataDirectory).Test;
var pixels = new float[batch * 784];
for (int i = 0; i < batch * 784; i++) pixels[i] = test.Image(i / 784)[i % 784];
byte[] onnx = OnnxExport.Serialize(model, Path.GetFileName(modelPath));

Console.WriteLine($"model {Path.GetFileName(modelPath)} ({model.Architecture}), ONNX Runtime {OrtEnv.Instance().GetVersionString()}, " +
                  $"{Environment.ProcessorCount} logical cores, .NET {Environment.Version}");
Console.WriteLine("ONNX Runtime runs the exported graph: C3 as one full 16x6 convolution (96 kernels, 36 of them zero), " +
                  "the encoding and padding inside the graph; ours runs the 60-kernel sparse C3.");
var rows = new List<(string Figure, double Ours, double Theirs, string Unit)>();
using var run = new RunOptions();

// ---- batch 1, one thread each ----
int k = 0;
var oursSingle = Latency(() => model.Predict(test.Image(k++ & (batch - 1))));
using (var single = Session(onnx, 1))
using (var input = OrtValue.CreateTensorValueFromMemory(new float[784], [1, 1, 28, 28]))
{
    var outputNames = single.OutputNames.ToArray();
    var theirSingle = Latency(() =>
    {
        pixels.AsSpan((k++ & (batch - 1)) * 784, 784).CopyTo(input.GetTensorMutableDataAsSpan<float>());
        using var results = single.Run(run, [OnnxExport.Input], [input], outputNames);
    });
    rows.Add(("infer-1 p50", oursSingle.P50, theirSingle.P50, "us"));
    rows.Add(("infer-1 p99", oursSingle.P99, theirSingle.P99, "us"));
}

// ---- batch 256, the same threads each ----
using var pool = new WorkerPool(threads);
var network = model.Network;
var workspaces = Enumerable.Range(0, threads).Select(_ => network.CreateWorkspace(batch)).ToArray();
var probabilities = new float[batch * OutputHead.Classes];
double oursBatch = Throughput(() => pool.Run(w =>
{
    int from = batch * w / threads, to = batch * (w + 1) / threads, n = to - from;
    var ws = workspaces[w];
    for (int s = 0; s < n; s++) InputEncoding.Encode(test.Image(from + s), ws.Input.Slice(s * InputEncoding.Size, InputEncoding.Size));
    network.Forward(ws, model.Parameters, n);
    for (int s = 0; s < n; s++)
        network.Head.Probabilities(ws.Scores.AsSpan(s * OutputHead.Classes, OutputHead.Classes), model.Temperature,
            probabilities.AsSpan((from + s) * OutputHead.Classes, OutputHead.Classes));
}));
using (var many = Session(onnx, threads))
using (var input = OrtValue.CreateTensorValueFromMemory(pixels, [batch, 1, 28, 28]))
{
    var outputNames = many.OutputNames.ToArray();
    double theirBatch = Throughput(() =>
    {
        using var results = many.Run(run, [OnnxExport.Input], [input], outputNames);
    });
    rows.Add(($"infer-{batch} ({threads} threads)", oursBatch, theirBatch, "img/s"));
}

Console.WriteLine($"{"figure",-26} {"ours",12} {"ONNX Runtime",14} {"unit",-6} ratio");
foreach (var (figure, ours, theirs, unit) in rows)
{
    double ratio = unit == "us" ? theirs / ours : ours / theirs; // > 1: ours is faster
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{figure,-26} {ours,12:N1} {theirs,14:N1} {unit,-6} ours {ratio:0.00}x as fast"));
}
return 0;

string? Option(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static InferenceSession Session(byte[] model, int intraOpThreads) => new(model, new SessionOptions
{
    IntraOpNumThreads = intraOpThreads,
    InterOpNumThreads = 1,
    ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
    GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
});

// p50 and p99 of single calls after a warm-up of one span
(double P50, double P99) Latency(Action call)
{
    var warm = Stopwatch.StartNew();
    while (warm.Elapsed.TotalSeconds < span) call();
    const int calls = 10_000;
    var samples = new double[calls];
    for (int i = 0; i < calls; i++)
    {
        long t0 = Stopwatch.GetTimestamp();
        call();
        samples[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
    }
    Array.Sort(samples);
    return (samples[calls / 2], samples[calls * 99 / 100]);
}

// images per second of whole batches: the median of several spans after a warm-up span
double Throughput(Action runBatch)
{
    var warm = Stopwatch.StartNew();
    while (warm.Elapsed.TotalSeconds < span) runBatch();
    var rates = new List<double>();
    for (int s = 0; s < spans; s++)
    {
        int batches = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < span)
        {
            runBatch();
            batches++;
        }
        rates.Add(batches * batch / clock.Elapsed.TotalSeconds);
    }
    return rates.Order().ElementAt(rates.Count / 2);
}
