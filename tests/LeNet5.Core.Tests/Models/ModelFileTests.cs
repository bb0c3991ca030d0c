using LeNet5.Core.Data;
using LeNet5.Core.Layers;
using LeNet5.Core.Models;
using LeNet5.Core.Networks;

namespace LeNet5.Core.Tests;

public sealed class ModelFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "lenet5-model-" + Guid.NewGuid().ToString("N"));

    public ModelFileTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static LeNet5Model RandomModel(Architecture arch, int seed = 1) =>
        new(arch, arch.Build().InitializeParameters(seed), new Dictionary<string, string> { ["command"] = "test" }) { Temperature = 2.5f };

    [Theory]
    [InlineData("lenet5", PoolingKind.Average, OutputKind.Rbf)]
    [InlineData("lenet5", PoolingKind.Subsampling, OutputKind.Softmax)]
    [InlineData("lenet5-nopool", PoolingKind.Average, OutputKind.Rbf)]
    public void SavedAndLoadedModelPredictsIdentically(string name, PoolingKind pooling, OutputKind output)
    {
        var model = RandomModel(new Architecture(name, pooling, output));
        var path = Path.Combine(_dir, "m.safetensors");
        ModelFile.Save(model, path);
        var loaded = ModelFile.Load(path);
        Assert.Equal(model.Architecture, loaded.Architecture);
        Assert.Equal(2.5f, loaded.Temperature);
        Assert.Equal("test", loaded.Metadata["command"]);
        var data = TestMnist.Load();
        for (int i = 0; i < 20; i++)
        {
            var a = model.Predict(data.Test.Image(i));
            var b = loaded.Predict(data.Test.Image(i));
            Assert.Equal(a.Scores, b.Scores);
            Assert.Equal(a.Probabilities, b.Probabilities);
        }
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void FileFollowsTheSafetensorsLayout()
    {
        var bytes = ModelFile.Serialize(RandomModel(new Architecture("lenet5")));
        ulong headerLength = BitConverter.ToUInt64(bytes, 0);
        Assert.Equal(0UL, headerLength % 8);
        var header = System.Text.Json.JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength)).RootElement;
        var c1 = header.GetProperty("c1.weight");
        Assert.Equal("F32", c1.GetProperty("dtype").GetString());
        Assert.Equal([6, 1, 5, 5], c1.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([60, 5, 5], header.GetProperty("c3.weight").GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.StartsWith("lenet5", header.GetProperty("__metadata__").GetProperty("architecture").GetString());
    }

    [Fact]
    public void TruncatedFileIsRefused()
    {
        var bytes = ModelFile.Serialize(RandomModel(new Architecture("lenet5")));
        var ex = Assert.Throws<ModelFormatException>(() => ModelFile.Read(bytes.AsSpan(0, bytes.Length - 100), "cut.safetensors", out _));
        Assert.Contains("truncated", ex.Message);
        Assert.Throws<ModelFormatException>(() => ModelFile.Read(bytes.AsSpan(0, 5), "tiny", out _));
    }

    [Fact]
    public void CorruptHeaderIsRefused()
    {
        var bytes = ModelFile.Serialize(RandomModel(new Architecture("lenet5")));
        bytes[12] = (byte)'}';
        Assert.Throws<ModelFormatException>(() => ModelFile.Read(bytes, "bad", out _));
        var huge = (byte[])bytes.Clone();
        BitConverter.GetBytes(ulong.MaxValue).CopyTo(huge, 0);
        Assert.Throws<ModelFormatException>(() => ModelFile.Read(huge, "huge", out _));
    }

    [Fact]
    public void ShapeThatDoesNotFitTheArchitectureIsRefused()
    {
        var model = RandomModel(new Architecture("lenet5"));
        var meta = new Dictionary<string, string>(model.Metadata) { ["architecture"] = "lenet5-nopool pooling=average output=rbf criterion=map" };
        var bytes = ModelFile.Serialize(new LeNet5Model(model.Architecture, model.Parameters, meta));
        // Serialize rewrites the architecture; forge the file by hand instead
        var tensors = model.Network.Tensors().Select(t => new NamedTensor(t.Name, t.Shape, new float[t.Shape.Aggregate(1, (a, b) => a * b)])).ToList();
        var forged = SafeTensors.Serialize(tensors, meta);
        var ex = Assert.Throws<ModelFormatException>(() => ModelFile.Read(forged, "forged", out _));
        Assert.Contains("f6.weight", ex.Message);
        Assert.NotEmpty(bytes);
    }

    [Theory]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4294967296,4294967300]}}")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":\"x\",\"data_offsets\":[0,4]}}")]
    // two tensors reading the same four bytes
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}")]
    // 2^62 + 1 elements: times 4 bytes, the count wraps around 64 bits to 4
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[5,5581,8681,49477,384773],\"data_offsets\":[0,4]}}")]
    public void CraftedHeadersAreRefusedAsBadFiles(string header)
    {
        var json = System.Text.Encoding.UTF8.GetBytes(header);
        var file = new byte[8 + json.Length + 4];
        BitConverter.GetBytes((ulong)json.Length).CopyTo(file, 0);
        json.CopyTo(file, 8);
        Assert.Throws<ModelFormatException>(() => SafeTensors.Deserialize(file, "crafted"));
    }

    [Fact]
    public void NonFiniteWeightsAreRefused()
    {
        var model = RandomModel(new Architecture("lenet5"));
        model.Parameters[10] = float.NaN;
        Assert.Contains("NaN", Assert.Throws<ModelFormatException>(() => ModelFile.Read(ModelFile.Serialize(model), "nan", out _)).Message);
    }

    [Fact]
    public void PredictionCarriesEveryLayer()
    {
        var model = RandomModel(new Architecture("lenet5"));
        var p = model.Predict(TestMnist.Load().Test.Image(0), includeActivations: true);
        Assert.Equal(1f, p.Probabilities.Sum(), 3);
        Assert.Equal(model.Network.Layers.Count + 1, p.Layers!.Count);
        Assert.Equal(InputEncoding.Size, p.Layers[0].Values.Length);
        Assert.Equal([6, 28, 28], p.Layers.First(l => l.Name == "c1").Shape);
        Assert.True(p.ScoresAreDistances);
    }
}
