using LeNet5.Core.Models;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace LeNet5.Onnx.Tests;

/// <summary><c>lenet5 export --model PATH --out FILE.onnx</c> writes a file ONNX Runtime runs.</summary>
public sealed class ExportCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lenet5-export-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ExportedFileRunsInOnnxRuntime()
    {
        string file = Path.Combine(_dir, "lenet5.onnx");
        var (exit, output, error) = CliRunner.Run("export", "--model", RepoPaths.ShippedModel, "--out", file);
        Assert.True(exit == 0, error);
        Assert.Contains(file, output);
        using var session = new InferenceSession(file);
        Assert.Equal("lenet5.safetensors", session.ModelMetadata.CustomMetadataMap["source"]);
        var pixels = new DenseTensor<float>(TestMnist.Test.Image(0).ToArray().Select(b => (float)b).ToArray(), [1, 1, 28, 28]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExport.Input, pixels)]);
        var p = results.Single(r => r.Name == OnnxExport.Probabilities).AsTensor<float>().ToArray();
        var ours = ModelFile.Load(RepoPaths.ShippedModel).Predict(TestMnist.Test.Image(0));
        Assert.Equal(ours.Digit, Array.IndexOf(p, p.Max()));
    }

    [Fact]
    public void MissingModelIsOneClearError()
    {
        var (exit, _, error) = CliRunner.Run("export", "--model", Path.Combine(_dir, "none.safetensors"), "--out", Path.Combine(_dir, "x.onnx"));
        Assert.Equal(1, exit);
        Assert.Contains("none.safetensors", error);
        Assert.False(File.Exists(Path.Combine(_dir, "x.onnx")));
    }
}
