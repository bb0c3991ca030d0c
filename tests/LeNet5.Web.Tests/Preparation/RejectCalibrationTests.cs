using LeNet5.Core.Models;
using LeNet5.Imaging;
using LeNet5.Web.Features.Predict;
using LeNet5.Web.Options;
using LeNet5.Web.Tests.Support;
using Xunit.Abstractions;

namespace LeNet5.Web.Tests.Preparation;

/// <summary>
/// Checks the shipped <c>rejected</c> thresholds (appsettings' Prediction section) against data they
/// were not chosen on: MNIST test digits 5000-9999 (the thresholds were picked on 0-4999) and fresh
/// noise and scribbles. If a new model fails here, recalibrate: the output prints the figures.
/// </summary>
public sealed class RejectCalibrationTests(ITestOutputHelper output)
{
    private static readonly LeNet5Model Model = LeNet5Model.Load(Path.Combine(RepoPaths.ModelsDirectory, "lenet5.safetensors"));
    private static readonly DigitImagePreparer Preparer = new();
    private static readonly PredictionOptions Defaults = new();

    private static (bool Rejected, bool Correct) Judge(byte[] picture, int label = -1)
    {
        var pixels = Array.ConvertAll(Preparer.Prepare(picture).Pixels, b => (float)b);
        var input = new float[Core.Data.InputEncoding.Size];
        Core.Data.InputEncoding.Encode(pixels, input);
        var prediction = Model.Predict(input);
        return (RejectPolicy.IsRejected(prediction, pixels, Model, Defaults), prediction.Digit == label);
    }

    [Fact]
    public void HeldOutMnistDigitsAreAcceptedAndMostMistakesAreNot()
    {
        var test = TestMnist.Test;
        int accepted = 0, wrong = 0, wrongRejected = 0, count = 0;
        for (int i = 5000; i < test.Count; i += 2) // every other held-out digit keeps the test quick
        {
            var (rejected, correct) = Judge(TestImages.MnistPng(test.Image(i), 28), test.Labels[i]);
            count++;
            if (!rejected) accepted++;
            if (!correct)
            {
                wrong++;
                if (rejected) wrongRejected++;
            }
        }
        output.WriteLine($"accepted {accepted}/{count} ({accepted / (double)count:P2}); rejected {wrongRejected} of the {wrong} misread");
        Assert.True(accepted >= 0.98 * count, $"only {accepted} of {count} held-out digits accepted");
    }

    [Fact]
    public void NoiseAndScribblesAreRejected()
    {
        int noise = 0, scribbles = 0;
        const int Count = 40;
        for (int seed = 100; seed < 100 + Count; seed++)
        {
            if (Judge(TestImages.Noise(200, seed)).Rejected) noise++;
            if (Judge(TestImages.Scribble(200, seed)).Rejected) scribbles++;
        }
        output.WriteLine($"rejected noise {noise}/{Count}, scribbles {scribbles}/{Count}");
        Assert.Equal(Count, noise);
        Assert.True(scribbles >= 0.8 * Count, $"only {scribbles} of {Count} scribbles rejected");
    }
}
