using System.Globalization;
using Google.Protobuf;
using LeNet5.Core.Layers;
using LeNet5.Core.Models;
using LeNet5.Core.Networks;
using LeNet5.Onnx.Proto;

namespace LeNet5.Onnx;

/// <summary>
/// Writes a model as an ONNX file (opset 17) that any ONNX runtime runs with standard operators only:
/// input <c>pixels</c> float [N,1,28,28] in 0-255 (MNIST-like, what /api/predict accepts as pixels),
/// outputs <c>probabilities</c> [N,10] at the model's temperature and, for RBF models, <c>distances</c> [N,10].
/// The graph walks the network's layers in order, so every architecture and option the engine
/// builds is exported by the same code that runs it.
/// </summary>
public static class OnnxExport
{
    public const int Opset = 17;
    public const long IrVersion = 8; // the IR version of opset 17
    public const string Input = "pixels";
    public const string Probabilities = "probabilities";
    public const string Distances = "distances";
    public const string MediaType = "application/octet-stream";

    /// <summary>The ONNX file's bytes; <paramref name="source"/> (a model id or path) goes into its metadata.</summary>
    public static byte[] Serialize(LeNet5Model model, string source) => Build(model, source).ToByteArray();

    public static ModelProto Build(LeNet5Model model, string source)
    {
        var g = new OnnxGraph();
        g.Proto.Name = model.Architecture.Name;
        g.Proto.Input.Add(OnnxGraph.FloatValue(Input, "28x28 digits, 0 = background, 255 = ink", null, 1, 28, 28));
        var network = model.Network;
        string x = Encode(g);
        bool flat = false;
        for (int l = 0; l < network.Layers.Count; l++)
        {
            var p = network.LayerSlice((ReadOnlySpan<float>)model.Parameters, l);
            x = network.Layers[l] switch
            {
                Convolution c => Conv(g, c, p, x),
                ScaledTanh t => Squash(g, t.Name, x),
                Pooling s => Pool(g, s, p, x),
                FullyConnected f => Dense(g, f, p, flat ? x : g.Node("Flatten", f.Name + "/flatten", [x], OnnxGraph.Int("axis", 1)), out flat),
                var other => throw new NotSupportedException($"no ONNX form for layer {other.Name} ({other.Kind})"),
            };
        }
        Head(g, network.Head, model.Temperature, x);
        return new ModelProto
        {
            IrVersion = IrVersion,
            OpsetImport = { new OperatorSetIdProto { Domain = "", Version = Opset } },
            ProducerName = "LeNet5Web",
            ProducerVersion = typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "",
            DocString = $"LeNet-5 ({model.Architecture}) exported by LeNet5Web from {source}",
            Graph = g.Proto,
            MetadataProps = { Metadata(model, source).Select(kv => new StringStringEntryProto { Key = kv.Key, Value = kv.Value }) },
        };
    }

    /// <summary>The model file's metadata, with the architecture, temperature and where the model came from.</summary>
    public static IReadOnlyDictionary<string, string> Metadata(LeNet5Model model, string source)
    {
        var meta = new SortedDictionary<string, string>(model.Metadata, StringComparer.Ordinal)
        {
            [MetadataKeys.Architecture] = model.Architecture.ToString(),
            [MetadataKeys.Temperature] = model.Temperature.ToString("R", CultureInfo.InvariantCulture),
            ["source"] = source,
        };
        return meta;
    }

    /// <summary>
    /// InputEncoding inside the graph: clamp to 0-255, x' = -0.1 + 1.275 x / 255 (background -0.1,
    /// ink 1.175), then pad 2 on every side with the background level to 32x32.
    /// </summary>
    private static string Encode(OnnxGraph g)
    {
        string clipped = g.Node("Clip", "encode/clip", [Input, g.Scalar("encode/min", 0f), g.Scalar("encode/max", 255f)]);
        string scaled = g.Node("Div", "encode/div", [clipped, g.Scalar("encode/255", 255f)]);
        string levels = g.Node("Mul", "encode/mul", [scaled, g.Scalar("encode/range", InputEncoding.Ink - InputEncoding.Background)]);
        string shifted = g.Node("Add", "encode/add", [levels, g.Scalar("encode/background", InputEncoding.Background)]);
        const int pad = InputEncoding.Padding;
        return g.Node("Pad", "encode/pad", [shifted, g.Int64s("encode/pads", 0, 0, pad, pad, 0, 0, pad, pad), g.Scalar("encode/pad_value", InputEncoding.Background)]);
    }

    /// <summary>Conv with a full [out, in, 5, 5] kernel: C3's table becomes zero kernels for the maps it leaves out.</summary>
    private static string Conv(OnnxGraph g, Convolution c, ReadOnlySpan<float> p, string x)
    {
        int outMaps = c.Output.Channels, inMaps = c.Input.Channels, kk = Convolution.K * Convolution.K;
        var full = new float[outMaps * inMaps * kk];
        int k = 0;
        for (int o = 0; o < outMaps; o++)
            foreach (int i in c.Table[o])
                p.Slice(k++ * kk, kk).CopyTo(full.AsSpan((o * inMaps + i) * kk, kk));
        string w = g.Constant(c.Name + ".weight", full, outMaps, inMaps, Convolution.K, Convolution.K);
        string b = g.Constant(c.Name + ".bias", p.Slice(k * kk, outMaps), outMaps);
        return g.Node("Conv", c.Name, [x, w, b], OnnxGraph.Ints("kernel_shape", Convolution.K, Convolution.K));
    }

    /// <summary>f(a) = 1.7159 tanh(2a/3).</summary>
    private static string Squash(OnnxGraph g, string name, string x)
    {
        string inner = g.Node("Mul", name + "/mul_s", [x, g.Scalar(name + ".s", ScaledTanh.S)]);
        string tanh = g.Node("Tanh", name + "/tanh", [inner]);
        return g.Node("Mul", name, [tanh, g.Scalar(name + ".a", ScaledTanh.A)]);
    }

    /// <summary>2x2 stride 2: AveragePool, MaxPool, or the paper's coef * (sum of 4) + bias = (4 coef) * mean + bias.</summary>
    private static string Pool(OnnxGraph g, Pooling s, ReadOnlySpan<float> p, string x)
    {
        AttributeProto[] window = [OnnxGraph.Ints("kernel_shape", 2, 2), OnnxGraph.Ints("strides", 2, 2)];
        if (s.PoolKind == PoolingKind.Max) return g.Node("MaxPool", s.Name, [x], window);
        string mean = g.Node("AveragePool", s.PoolKind == PoolingKind.Average ? s.Name : s.Name + "/mean", [x], window);
        if (s.PoolKind == PoolingKind.Average) return mean;
        int maps = s.Input.Channels;
        var coefficient = new float[maps];
        for (int c = 0; c < maps; c++) coefficient[c] = 4 * p[c];
        string scaled = g.Node("Mul", s.Name + "/mul", [mean, g.Constant(s.Name + ".coefficient_x4", coefficient, 1, maps, 1, 1)]);
        return g.Node("Add", s.Name, [scaled, g.Constant(s.Name + ".bias", p.Slice(maps, maps), 1, maps, 1, 1)]);
    }

    /// <summary>y = x W^T + b with W stored [out, in] as in the model file (Gemm transB).</summary>
    private static string Dense(OnnxGraph g, FullyConnected f, ReadOnlySpan<float> p, string x, out bool flat)
    {
        flat = true;
        string w = g.Constant(f.Name + ".weight", p[..(f.Inputs * f.Outputs)], f.Outputs, f.Inputs);
        string b = g.Constant(f.Name + ".bias", p.Slice(f.Inputs * f.Outputs, f.Outputs), f.Outputs);
        return g.Node("Gemm", f.Name, [x, w, b], OnnxGraph.Int("transB", 1));
    }

    /// <summary>
    /// RBF: y_i = sum_j (x_j - w_ij)^2 against the fixed bitmaps, P = softmax(-y / T);
    /// softmax head: P = softmax(z / T) of the output layer's logits.
    /// </summary>
    private static void Head(OnnxGraph g, OutputHead head, float temperature, string x)
    {
        const int classes = OutputHead.Classes;
        string t = g.Scalar("temperature", temperature);
        string energy;
        if (head is RbfHead rbf)
        {
            string row = g.Node("Unsqueeze", "rbf/unsqueeze", [x, g.Int64s("rbf/axis1", 1)]);
            string diff = g.Node("Sub", "rbf/sub", [row, g.Constant("rbf.prototypes", rbf.Prototypes, classes, rbf.Inputs)]);
            string squared = g.Node("Mul", "rbf/square", [diff, diff]);
            string distances = g.Node("ReduceSum", Distances, [squared, g.Int64s("rbf/axis2", 2)], OnnxGraph.Int("keepdims", 0));
            g.Proto.Output.Add(OnnxGraph.FloatValue(Distances, "squared distance to each digit's 7x12 prototype (smallest wins)", null, classes));
            energy = g.Node("Neg", "rbf/neg", [distances]);
        }
        else
        {
            energy = x;
        }
        string scaled = g.Node("Div", "head/temperature", [energy, t]);
        g.Node("Softmax", Probabilities, [scaled], OnnxGraph.Int("axis", -1));
        g.Proto.Output.Insert(0, OnnxGraph.FloatValue(Probabilities, "P(digit), calibrated with the model's temperature", null, classes));
    }
}
