using LeNet5.Core.Models;
using LeNet5.Core.Networks;
using LeNet5.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace LeNet5.Onnx.Tests;

/// <summary>What the exported file promises besides its numbers: interface, opset, operators, metadata.</summary>
public sealed class OnnxFileTests
{
    private static readonly LeNet5Model Shipped = ModelFile.Load(RepoPaths.ShippedModel);

    [Fact]
    public void InterfaceHasADynamicBatchOfMnistPixels()
    {
        using var session = new InferenceSession(OnnxExport.Serialize(Shipped, "lenet5"));
        var input = Assert.Single(session.InputMetadata);
        Assert.Equal(OnnxExport.Input, input.Key);
        Assert.Equal([-1, 1, 28, 28], input.Value.Dimensions);
        Assert.Equal("N", input.Value.SymbolicDimensions[0]);
        Assert.Equal([-1, 10], session.OutputMetadata[OnnxExport.Probabilities].Dimensions);
        Assert.Equal([-1, 10], session.OutputMetadata[OnnxExport.Distances].Dimensions);
        foreach (int n in new[] { 1, 3 })
        {
            var pixels = new DenseTensor<float>([n, 1, 28, 28]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExport.Input, pixels)]);
            Assert.Equal([n, 10], results.First().AsTensor<float>().Dimensions.ToArray());
        }
    }

    [Fact]
    public void MetadataNamesTheArchitectureAccuracyAndSource()
    {
        using var session = new InferenceSession(OnnxExport.Serialize(Shipped, "models/lenet5.safetensors"));
        var meta = session.ModelMetadata;
        Assert.Equal("LeNet5Web", meta.ProducerName);
        Assert.Equal(Shipped.Architecture.ToString(), meta.CustomMetadataMap[MetadataKeys.Architecture]);
        Assert.Equal(Shipped.Metadata[MetadataKeys.TestAccuracy], meta.CustomMetadataMap[MetadataKeys.TestAccuracy]);
        Assert.Equal("models/lenet5.safetensors", meta.CustomMetadataMap["source"]);
    }

    [Theory]
    [InlineData("lenet5 pooling=subsampling output=rbf criterion=map")]
    [InlineData("lenet5-nopool-fc output=softmax")]
    public void OnlyStandardOperatorsOfOpset17(string architecture)
    {
        var arch = Architecture.Parse(architecture);
        var proto = OnnxExport.Build(new LeNet5Model(arch, arch.Build().InitializeParameters(1)), "test");
        var opset = Assert.Single(proto.OpsetImport);
        Assert.Equal("", opset.Domain);
        Assert.Equal(17, opset.Version);
        Assert.All(proto.Graph.Node, n => Assert.Equal("", n.Domain));
        string[] standard = ["Clip", "Div", "Mul", "Add", "Sub", "Neg", "Pad", "Conv", "Tanh", "AveragePool", "MaxPool",
            "Flatten", "Gemm", "Unsqueeze", "ReduceSum", "Softmax"];
        Assert.All(proto.Graph.Node, n => Assert.Contains(n.OpType, standard));
    }

    [Fact]
    public void C3IsOneFullConvolutionWithZeroKernelsOutsideTheTable()
    {
        var proto = OnnxExport.Build(Shipped, "test");
        var weight = proto.Graph.Initializer.Single(t => t.Name == "c3.weight");
        Assert.Equal([16L, 6, 5, 5], weight.Dims);
        var values = new float[16 * 6 * 25];
        Buffer.BlockCopy(weight.RawData.ToByteArray(), 0, values, 0, values.Length * 4);
        for (int o = 0; o < 16; o++)
            for (int i = 0; i < 6; i++)
            {
                bool connected = Architecture.C3Table[o].Contains(i);
                bool nonzero = values.AsSpan((o * 6 + i) * 25, 25).ContainsAnyExcept(0f);
                Assert.Equal(connected, nonzero);
            }
        Assert.Equal(TensorProto.Types.DataType.Float, (TensorProto.Types.DataType)weight.DataType);
    }

    // docs/cli.md's ONNX example: a two-pixel-wide vertical bar, centred like an MNIST digit
    [Fact]
    public void TheReadmeExampleReadsAOne()
    {
        using var session = new InferenceSession(OnnxExport.Serialize(Shipped, "lenet5"));
        var pixels = new DenseTensor<float>([1, 1, 28, 28]);
        for (int r = 4; r < 24; r++) pixels[0, 0, r, 13] = pixels[0, 0, r, 14] = 255;
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExport.Input, pixels)]);
        var p = results.First(r => r.Name == OnnxExport.Probabilities).AsTensor<float>().ToArray();
        Assert.Equal(1, Array.IndexOf(p, p.Max()));
    }
}
