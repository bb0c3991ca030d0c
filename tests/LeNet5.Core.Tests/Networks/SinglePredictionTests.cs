using LeNet5.Core.Layers;
using LeNet5.Core.Models;
using LeNet5.Core.Networks;
using LeNet5.Testing;

namespace LeNet5.Core.Tests;

/// <summary>
/// A single prediction runs <see cref="Network.ForwardOne"/> over the weights laid out for one image
/// (Wᵀ for C5 and F6 where the CPU has AVX-512): it must give the scores of the batch pass, on every
/// architecture, and read the weights as they were at the first prediction.
/// </summary>
public class SinglePredictionTests
{
    [Theory]
    [InlineData(Architecture.LeNet5)]
    [InlineData(Architecture.NoPool)]
    [InlineData(Architecture.NoPoolFc)]
    public void PredictGivesTheBatchPassScores(string name)
    {
        var architecture = new Architecture(name);
        var model = new LeNet5Model(architecture, architecture.Build().InitializeParameters(3));
        var test = TestMnist.Load().Test;
        var ws = model.Network.CreateWorkspace(1);
        for (int i = 0; i < 5; i++)
        {
            var prediction = model.Predict(test.Image(i));
            InputEncoding.Encode(test.Image(i), ws.Input);
            model.Network.Forward(ws, model.Parameters, 1);
            for (int c = 0; c < OutputHead.Classes; c++)
                Assert.True(Math.Abs(ws.Scores[c] - prediction.Scores[c]) <= 1e-5f * Math.Max(1f, Math.Abs(ws.Scores[c])),
                    $"{name}, digit {i}, class {c}: batch pass {ws.Scores[c]:G9}, single prediction {prediction.Scores[c]:G9}");
        }
    }

    [Fact]
    public void WeightsChangedBeforeTheFirstPredictionAreTheOnesRead()
    {
        var architecture = new Architecture(Architecture.LeNet5);
        var network = architecture.Build();
        var image = TestMnist.Load().Test.Image(0);
        var model = new LeNet5Model(architecture, network.InitializeParameters(5));
        // as a checkpoint or a test sets its weights in place: the copy for one image is taken at the first prediction
        network.InitializeParameters(6).CopyTo(model.Parameters, 0);
        var fresh = new LeNet5Model(architecture, network.InitializeParameters(6));
        Assert.Equal(fresh.Predict(image).Scores, model.Predict(image).Scores);
        Assert.NotEqual(new LeNet5Model(architecture, network.InitializeParameters(5)).Predict(image).Scores, model.Predict(image).Scores);
    }
}
