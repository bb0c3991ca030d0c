using LeNet5.Core.Layers;
using LeNet5.Core.Models;
using LeNet5.Core.Networks;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace LeNet5.Onnx.Tests;

/// <summary>
/// The exported file, run by ONNX Runtime, against our engine on real MNIST test digits: every
/// architecture and option (random parameters, scaled up so the maps are not all near zero), and the
/// shipped trained models.
/// </summary>
public sealed class OnnxParityTests
{
    private const int Images = 1000;
    private const float Tolerance = 1e-4f;

    public static TheoryData<string> Architectures()
    {
        var data = new TheoryData<string>();
        string[] outputs = ["output=rbf criterion=map", "output=rbf criterion=mse", "output=softmax"];
        foreach (var pooling in Architecture.Poolings)
            foreach (var output in outputs)
                data.Add($"{Architecture.LeNet5} pooling={pooling} {output}");
        // pooling does not apply to the ablations: one network per output
        foreach (var name in new[] { Architecture.NoPool, Architecture.NoPoolFc })
            foreach (var output in outputs)
                data.Add($"{name} {output}");
        return data;
    }

    public static TheoryData<string> ShippedModels() => new(Directory.GetFiles(RepoPaths.ModelsDirectory, "*.safetensors").Select(Path.GetFileName).Order()!);

    [Theory]
    [MemberData(nameof(Architectures))]
    public void RandomModelAgreesWithOnnxRuntime(string architecture)
    {
        var arch = Architecture.Parse(architecture);
        var network = arch.Build();
        var parameters = network.InitializeParameters(seed: 7);
        // weights within 2.4/F keep an untrained map near zero; within 2.4/sqrt(F) its units use the whole tanh
        for (int l = 0; l < network.Layers.Count; l++)
            if (network.Layers[l].FanIn > 0)
                foreach (ref float v in network.LayerSlice(parameters.AsSpan(), l)) v *= MathF.Sqrt(network.Layers[l].FanIn);
        var model = new LeNet5Model(arch, parameters) { Temperature = 0.5f };
        var (_, spread) = AssertParity(model);
        // a network whose answer hardly depends on the image would prove little
        Assert.True(spread > 100 * Tolerance, $"the random {architecture}'s scores move by only {spread} across the images: too flat a test");
    }

    [Theory]
    [MemberData(nameof(ShippedModels))]
    public void ShippedModelAgreesWithOnnxRuntime(string file)
    {
        var model = ModelFile.Load(Path.Combine(RepoPaths.ModelsDirectory, file));
        var (digits, _) = AssertParity(model);
        var labels = TestMnist.Test.Labels.AsSpan(0, Images).ToArray();
        Assert.True(digits.Where((d, i) => d == labels[i]).Count() > 0.97 * Images, $"{file} is a trained model: it should read MNIST");
    }

    /// <summary>
    /// Runs <see cref="Images"/> test digits both ways; returns our digits and the largest change of
    /// any score (distance or logit) from the first image's.
    /// </summary>
    private static (int[] Digits, float Spread) AssertParity(LeNet5Model model)
    {
        const int classes = OutputHead.Classes, chunk = 250;
        var test = TestMnist.Test;
        using var session = new InferenceSession(OnnxExport.Serialize(model, "test"));
        bool rbf = model.Network.Head is RbfHead;
        Assert.Equal(rbf ? [OnnxExport.Probabilities, OnnxExport.Distances] : [OnnxExport.Probabilities], session.OutputMetadata.Keys.ToArray());
        var digits = new int[Images];
        float[]? first = null;
        float spread = 0;
        for (int start = 0; start < Images; start += chunk)
        {
            var pixels = new DenseTensor<float>([chunk, 1, 28, 28]);
            for (int s = 0; s < chunk; s++)
            {
                var image = test.Image(start + s);
                for (int j = 0; j < 784; j++) pixels.Buffer.Span[s * 784 + j] = image[j];
            }
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExport.Input, pixels)]);
            var probabilities = results.First(r => r.Name == OnnxExport.Probabilities).AsTensor<float>();
            var distances = rbf ? results.First(r => r.Name == OnnxExport.Distances).AsTensor<float>() : null;
            Assert.Equal([chunk, classes], probabilities.Dimensions.ToArray());
            for (int s = 0; s < chunk; s++)
            {
                int index = start + s;
                var ours = model.Predict(test.Image(index));
                digits[index] = ours.Digit;
                first ??= ours.Scores;
                for (int c = 0; c < classes; c++) spread = Math.Max(spread, Math.Abs(ours.Scores[c] - first[c]));
                var theirs = Enumerable.Range(0, classes).Select(c => probabilities[s, c]).ToArray();
                int theirDigit = rbf
                    ? Enumerable.Range(0, classes).MinBy(c => distances![s, c])
                    : Array.IndexOf(theirs, theirs.Max());
                Assert.True(ours.Digit == theirDigit, $"image {index}: we read {ours.Digit}, ONNX Runtime {theirDigit}");
                for (int c = 0; c < classes; c++)
                {
                    Assert.True(Math.Abs(ours.Probabilities[c] - theirs[c]) <= Tolerance,
                        $"image {index}, P({c}): ours {ours.Probabilities[c]}, ONNX Runtime {theirs[c]}");
                    if (distances is not null)
                        Assert.True(Math.Abs(ours.Scores[c] - distances[s, c]) <= Tolerance * Math.Max(1, Math.Abs(ours.Scores[c])),
                            $"image {index}, distance {c}: ours {ours.Scores[c]}, ONNX Runtime {distances[s, c]}");
                }
            }
        }
        return (digits, spread);
    }
}
