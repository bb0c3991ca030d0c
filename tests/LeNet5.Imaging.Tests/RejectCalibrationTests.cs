using LeNet5.Core.Models;
using LeNet5.Core.Recognition;
using LeNet5.Testing;
using Xunit.Abstractions;

namespace LeNet5.Imaging.Tests;

/// <summary>
/// Checks the shipped <c>rejected</c> thresholds (the engine's default <see cref="RejectPolicy"/>)
/// against data they were not chosen on: MNIST test digits 5000-9999 (the thresholds were picked on
/// 0-4999) and fresh noise and scribbles, through the one recognition pipeline the web API and the CLI
/// use, for the default model alone and for the shipped committee it leads. If a new model fails
/// here, recalibrate: the output prints the figures.
/// </summary>
public sealed class RejectCalibrationTests(ITestOutputHelper output)
{
    private static readonly LeNet5Model Model = ModelFile.Load(RepoPaths.ShippedModel);
    private static readonly DigitRecognizer Recognizer = new(new DigitImagePreparer(), RejectPolicy.Default);

    /// <summary>The shipped committee the default model leads, which answers for it in the web app and <c>lenet5 predict</c>.</summary>
    private static readonly LeNet5Model[] Committee =
        [.. ShippedModels.Committee.Select(name => ModelFile.Load(Path.Combine(RepoPaths.ModelsDirectory, name + ".safetensors")))];

    private static (bool Rejected, bool Correct) Judge(byte[] image, int label = -1, bool committee = false)
    {
        var answer = committee ? Recognizer.Recognize(Committee, image) : Recognizer.Recognize(Model, image);
        return (answer.Rejected, answer.Prediction.Digit == label);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void HeldOutMnistDigitsAreAcceptedAndMostMistakesAreNot(bool committee)
    {
        var test = TestMnist.Test;
        int accepted = 0, wrong = 0, wrongRejected = 0, count = 0;
        for (int i = 5000; i < test.Count; i += 2) // every other held-out digit keeps the test quick
        {
            var (rejected, correct) = Judge(TestImages.MnistPng(test.Image(i), 28), test.Labels[i], committee);
            count++;
            if (!rejected) accepted++;
            if (!correct)
            {
                wrong++;
                if (rejected) wrongRejected++;
            }
        }
        output.WriteLine($"{(committee ? "committee" : "lenet5 alone")}: accepted {accepted}/{count} ({accepted / (double)count:P2}); rejected {wrongRejected} of the {wrong} misread");
        Assert.True(accepted >= 0.98 * count, $"only {accepted} of {count} held-out digits accepted");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void NoiseAndScribblesAreRejected(bool committee)
    {
        int noise = 0, scribbles = 0;
        const int Count = 40;
        for (int seed = 100; seed < 100 + Count; seed++)
        {
            if (Judge(TestImages.Noise(200, seed), committee: committee).Rejected) noise++;
            if (Judge(TestImages.Scribble(200, seed), committee: committee).Rejected) scribbles++;
        }
        output.WriteLine($"{(committee ? "committee" : "lenet5 alone")}: rejected noise {noise}/{Count}, scribbles {scribbles}/{Count}");
        Assert.Equal(Count, noise);
        Assert.True(scribbles >= 0.8 * Count, $"only {scribbles} of {Count} scribbles rejected");
    }
}
