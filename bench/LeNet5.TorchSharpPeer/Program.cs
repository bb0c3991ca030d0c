using System.Diagnostics;
using System.Globalization;
using LeNet5.Core;
using LeNet5.Core.Data;
using LeNet5.Core.Layers;
using LeNet5.Core.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

// The same LeNet-5 as `lenet5 bench` trains and runs, written the way a .NET user would write it in
// TorchSharp (libtorch, CPU), measured the way `lenet5 bench` measures ours (bench/LeNet5.Bench):
//   train lenet5  forward + backward + SGD step of batches of 256 from real MNIST, --threads threads,
//                 the images encoded inside the step; median of 7 spans after a warm-up span
//   infer-1       one encoded 32x32 image per call, one thread: forward, probabilities, class; 20,000 calls
//   infer-batch   the 10,000 test images (encoded in the pass) in batches of 256, --threads threads; median of 7 passes
// Usage: bench/LeNet5.TorchSharpPeer/run.sh [--threads N] [--span SECONDS] [--c3 table|full] [--data DIR] [--lr RATE]
int threads = int.Parse(Option("--threads") ?? Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
double span = double.Parse(Option("--span") ?? "1", CultureInfo.InvariantCulture);
bool c3Table = (Option("--c3") ?? "table") switch
{
    "table" => true,
    "full" => false,
    var other => throw new ArgumentException($"--c3 {other}: expected table or full"),
};
// 0.003: with the paper's initialisation and the MAP criterion, 0.01 can diverge within the timed spans
double learningRate = double.Parse(Option("--lr") ?? "0.003", CultureInfo.InvariantCulture);
const int batch = 256, spans = 7, calls = 20_000;
if (threads < 1 || !(span > 0)) throw new ArgumentException("--threads must be at least 1 and --span positive");

var fetcher = new MnistFetcher(MnistLocation.Choose(Option("--data")).Directory);
fetcher.EnsureAvailable(Console.Error.WriteLine);
var data = MnistDataset.Load(fetcher.DataDirectory);

torch.set_num_interop_threads(1);
torch.set_num_threads(threads);
torch.manual_seed(1);
Console.WriteLine($"machine: {Environment.ProcessorCount} logical cores, TorchSharp {typeof(torch).Assembly.GetName().Version} " +
                  $"(libtorch {torch.__version__}, CPU), .NET {Environment.Version}");
Console.WriteLine(c3Table
    ? "C3 follows the paper's table through a 0/1 mask on a full 16x6 convolution: libtorch computes all 96 kernels (36 of them zero); ours computes 60."
    : "C3 is a full 16x6 convolution (96 kernels, --c3 full); ours uses the paper's table (60 kernels): this peer does about 27% more multiply-adds a sample.");

using var trainImages = Pixels(data.Train);
using var trainLabels = torch.tensor(data.Train.Labels, ScalarType.Int64);
using var testImages = Pixels(data.Test);
using var testLabels = torch.tensor(data.Test.Labels, ScalarType.Int64);
using var model = new LeNet5Model(c3Table);
var rows = new List<(string Name, double Value, string Unit, string Detail)>();

// ---- training: forward + backward + update of one batch, --threads threads ----
using (var optimizer = torch.optim.SGD(model.parameters(), learningRate: learningRate, momentum: 0.9))
using (var order = torch.randperm(data.Train.Count, ScalarType.Int64))
{
    int batches = data.Train.Count / batch, next = 0;
    float lastLoss = float.NaN;
    void Step() => TrainStep(false);
    void TrainStep(bool readLoss)
    {
        using var scope = torch.NewDisposeScope();
        var index = order.narrow(0, (long)next * batch, batch);
        var input = Encode(trainImages.index_select(0, index));
        var labels = trainLabels.index_select(0, index);
        var loss = MapLoss(model.forward(input), labels);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        if (readLoss) lastLoss = loss.item<float>();
        next = (next + 1) % batches;
    }
    model.train();
    var rates = Spans(Step);
    rows.Add(("train lenet5", Median(rates), "img/s",
        $"batch {batch}, {threads} threads, median of {rates.Count} spans (min {rates.Min():N0}, max {rates.Max():N0}); SGD lr {learningRate} momentum 0.9, MAP loss, images encoded in the step"));
    TrainStep(true); // untimed: the loss now, to show that the peer learns
    // a speed figure either way; a diverged run says so, and its test error below is meaningless
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"training loss after the timed spans: {lastLoss:0.000}{(float.IsFinite(lastLoss) ? "" : " (diverged: try a smaller --lr)")}"));
}
model.eval();

// ---- one image at a time, one thread (ours: the public Predict call on the caller's thread) ----
torch.set_num_threads(1);
using (torch.no_grad())
using (var inputs = Encode(testImages.narrow(0, 0, 256)))
{
    int k = 0;
    void Predict()
    {
        using var scope = torch.NewDisposeScope();
        var scores = model.forward(inputs.narrow(0, k++ & 255, 1));
        var probabilities = F.softmax(-scores, 1).data<float>().ToArray();
        int digit = (int)scores.argmin(1).item<long>();
        GC.KeepAlive(probabilities[digit]);
    }
    var warm = Stopwatch.StartNew();
    while (warm.Elapsed.TotalSeconds < span) Predict();
    var samples = new double[calls];
    for (int i = 0; i < calls; i++)
    {
        long t0 = Stopwatch.GetTimestamp();
        Predict();
        samples[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
    }
    Array.Sort(samples);
    rows.Add(("infer-1 p50", samples[calls / 2], "us", $"batch 1, one thread, {calls:N0} calls: forward, softmax of -distances, argmin, read back"));
    rows.Add(("infer-1 p99", samples[calls * 99 / 100], "us", "same calls"));
}
torch.set_num_threads(threads);

// ---- the 10,000 test images, --threads threads ----
using (torch.no_grad())
{
    int errors = 0;
    void Pass()
    {
        errors = 0;
        for (int start = 0; start < data.Test.Count; start += batch)
        {
            using var scope = torch.NewDisposeScope();
            int count = Math.Min(batch, data.Test.Count - start);
            var predicted = model.forward(Encode(testImages.narrow(0, start, count))).argmin(1);
            errors += (int)predicted.ne(testLabels.narrow(0, start, count)).sum().item<long>();
        }
    }
    Pass(); // warm-up
    var rates = new List<double>();
    for (int s = 0; s < spans; s++)
    {
        var clock = Stopwatch.StartNew();
        Pass();
        rates.Add(data.Test.Count / clock.Elapsed.TotalSeconds);
    }
    rows.Add(("infer-batch", Median(rates), "img/s",
        $"10,000 test images in batches of {batch}, {threads} threads, median of {rates.Count} passes; test error {100.0 * errors / data.Test.Count:0.00}% after the timed training"));
}

Console.WriteLine($"{"figure",-24} {"value",14} {"unit",-6} how");
foreach (var (name, value, unit, detail) in rows) Console.WriteLine($"{name,-24} {value,14:N1} {unit,-6} {detail}");
double Get(string name) => rows.First(r => r.Name == name).Value;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"train {Get("train lenet5"):0} img/s, infer-batch {Get("infer-batch"):0} img/s, infer-1 p50 {Get("infer-1 p50"):0.0} us"));
return 0;

string? Option(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

// images per second of whole batches: the median of several spans after a warm-up span (as LeNet5.Bench)
List<double> Spans(Action step)
{
    var warm = Stopwatch.StartNew();
    while (warm.Elapsed.TotalSeconds < span) step();
    var rates = new List<double>();
    for (int s = 0; s < spans; s++)
    {
        int steps = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < span)
        {
            step();
            steps++;
        }
        rates.Add(steps * batch / clock.Elapsed.TotalSeconds);
    }
    return rates;
}

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

// a split's 28x28 bytes as one uint8 tensor [n, 28, 28]
static Tensor Pixels(MnistSplit split) => torch.tensor(split.Images, [split.Count, MnistSplit.Side, MnistSplit.Side]);

// our InputEncoding in tensor operations: 0-255 to -0.1..1.175, padded by 2 with the background, [n, 1, 32, 32]
static Tensor Encode(Tensor pixels) =>
    F.pad(pixels.to_type(ScalarType.Float32).mul_(InputEncoding.LevelPerByte).add_(InputEncoding.Background),
        [InputEncoding.Padding, InputEncoding.Padding, InputEncoding.Padding, InputEncoding.Padding],
        PaddingModes.Constant, InputEncoding.Background).unsqueeze(1);

// the paper's MAP criterion (eq. 9), as our default RBF head: E = y_D + log(e^-j + sum_i e^-y_i), j = 10, mean over the batch
static Tensor MapLoss(Tensor distances, Tensor labels)
{
    var correct = distances.gather(1, labels.unsqueeze(1)).squeeze(1);
    var rest = torch.cat([-distances, torch.full(distances.shape[0], 1, -10f)], 1);
    return (correct + torch.logsumexp(rest, 1)).mean();
}

/// <summary>
/// LeNet-5 as `lenet5` (the engine's default architecture): C1 6@5x5 on the 32x32 input, the paper's squash
/// 1.7159 tanh(2x/3) after every weighted layer, 2x2 average pooling (S2, S4), C3 16@5x5 (the paper's
/// table, or full), C5 120@5x5, F6 84, and ten Euclidean RBF units with the fixed +-1 7x12 bitmaps.
/// </summary>
internal sealed class LeNet5Model : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d c1, c3, c5;
    private readonly Linear f6;
    private readonly Tensor? c3Mask;
    private readonly Tensor prototypes;

    public LeNet5Model(bool c3Table) : base("lenet5")
    {
        c1 = nn.Conv2d(1, 6, 5);
        c3 = nn.Conv2d(6, 16, 5);
        c5 = nn.Conv2d(16, 120, 5);
        f6 = nn.Linear(120, 84);
        prototypes = torch.tensor(Bitmaps.Prototypes(), [10, Bitmaps.Size]);
        // the paper's initialisation, as our engine's (appendix A): uniform in +-2.4/F, F the unit's fan-in;
        // libtorch's default (Kaiming) starts the squash saturated, and this network then often diverges
        using (torch.no_grad())
        {
            PaperInit(c1.weight!, c1.bias!, 1 * 25);
            PaperInit(c5.weight!, c5.bias!, 16 * 25);
            PaperInit(f6.weight!, f6.bias!, 120);
            if (c3Table)
            {
                var mask = new float[16 * 6 * 5 * 5];
                for (int o = 0; o < 16; o++)
                {
                    int[] inputs = Architecture.C3Table[o];
                    foreach (int i in inputs) mask.AsSpan((o * 6 + i) * 25, 25).Fill(1f);
                    PaperInit(c3.weight![o], c3.bias![o], inputs.Length * 25);
                }
                c3Mask = torch.tensor(mask, [16, 6, 5, 5]);
                c3.weight!.mul_(c3Mask);
            }
            else PaperInit(c3.weight!, c3.bias!, 6 * 25);
        }
        RegisterComponents();
    }

    private static void PaperInit(Tensor weight, Tensor bias, int fanIn)
    {
        double bound = 2.4 / fanIn;
        weight.uniform_(-bound, bound);
        bias.uniform_(-bound, bound);
    }

    private static Tensor Squash(Tensor x) => torch.tanh(x * (2f / 3f)) * 1.7159f;

    public override Tensor forward(Tensor input)
    {
        var x = F.avg_pool2d(Squash(c1.forward(input)), 2);
        var c3Out = c3Mask is null ? c3.forward(x) : F.conv2d(x, c3.weight! * c3Mask, c3.bias);
        x = F.avg_pool2d(Squash(c3Out), 2);
        x = Squash(c5.forward(x)).flatten(1);
        x = Squash(f6.forward(x));
        // y_i = sum_j (x_j - w_ij)^2 against the fixed prototypes: [n, 10]
        return (x.unsqueeze(1) - prototypes).square().sum(2);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            c3Mask?.Dispose();
            prototypes.Dispose();
        }
        base.Dispose(disposing);
    }
}
