using LeNet5.Core.Models;
using LeNet5.Core.Preparation;
using LeNet5.Core.Recognition;

namespace LeNet5.Core.Tests;

/// <summary>The pixels path of the one recognizer, and the rejection rule, on the shipped model.</summary>
public sealed class DigitRecognizerTests
{
    private static readonly LeNet5Model Model = ModelFile.Load(RepoPaths.ShippedModel);

    /// <summary>Pixels come ready: a recognizer that is asked to decode an image here is a bug.</summary>
    private sealed class NoImages : IDigitPreparer
    {
        public byte[] Prepare(byte[] encoded) => throw new InvalidOperationException("no image was expected");
    }

    private static readonly DigitRecognizer Recognizer = new(new NoImages(), RejectPolicy.Default);

    private static float[] Pixels(int index) => Array.ConvertAll(TestMnist.Test.Image(index).ToArray(), b => (float)b);

    [Fact]
    public void AnMnistDigitIsReadAndAccepted()
    {
        var answer = Recognizer.Recognize(Model, Pixels(0));
        Assert.Equal(TestMnist.Test.Labels[0], answer.Prediction.Digit);
        Assert.False(answer.Rejected);
        Assert.Equal(Pixels(0), answer.Pixels);
    }

    [Fact]
    public void AGridWithoutInkIsBlank()
    {
        var faint = Enumerable.Repeat(InkMap.MinContrast - 1f, 784).ToArray();
        var ex = Assert.Throws<DigitPreparationException>(() => Recognizer.Recognize(Model, faint));
        Assert.Equal(PreparationFailure.Blank, ex.Failure);
        Assert.Contains($"{InkMap.MinContrast} of 255", ex.Message);
    }

    [Fact]
    public void FarMoreInkThanAnyDigitIsRejectedHoweverSureTheNetworkIs()
    {
        var solid = Enumerable.Repeat(255f, 784).ToArray();
        Assert.True(RejectPolicy.InkCoverage(solid) > RejectPolicy.Default.MaxInkCoverage);
        Assert.True(Recognizer.Recognize(Model, solid).Rejected);
    }

    [Fact]
    public void AModelsOwnThresholdWinsOverThePolicys()
    {
        var plain = Recognizer.Recognize(Model, Pixels(0));
        Assert.False(plain.Rejected);
        Assert.True(plain.Prediction.Confidence < 1f, "the shipped model's confidence on test digit 0 is below 1");
        var strict = new LeNet5Model(Model.Architecture, Model.Parameters, new Dictionary<string, string>(Model.Metadata) { [MetadataKeys.RejectThreshold] = "1" });
        Assert.Equal(1, RejectPolicy.Default.MinConfidenceFor(strict));
        Assert.True(Recognizer.Recognize(strict, Pixels(0)).Rejected);
    }

    [Fact]
    public void ACommitteeAnswersWithTheMeanOfItsMembersCalibratedProbabilities()
    {
        var softmax = ModelFile.Load(Path.Combine(RepoPaths.ModelsDirectory, "lenet5-softmax.safetensors"));
        var paper = ModelFile.Load(Path.Combine(RepoPaths.ModelsDirectory, "lenet5-paper.safetensors"));
        LeNet5Model[] committee = [Model, softmax, paper];
        for (int index = 0; index < 20; index++)
        {
            var answer = Recognizer.Recognize(committee, Pixels(index), includeActivations: true);
            var own = committee.Select(m => Recognizer.Recognize(m, Pixels(index)).Prediction).ToArray();
            for (int c = 0; c < 10; c++) Assert.Equal(own.Average(p => p.Probabilities[c]), answer.Prediction.Probabilities[c], 5);
            Assert.Equal(own.Select(p => new Vote(p.Digit, p.Confidence)), answer.Votes!);
            Assert.Equal(answer.Prediction.Probabilities[answer.Prediction.Digit], answer.Prediction.Confidence);
            Assert.Equal(answer.Prediction.Probabilities.Max(), answer.Prediction.Confidence);
            // the lead's layers are the ones shown, and the committee's confidence is what is judged
            Assert.Equal(Recognizer.Recognize(Model, Pixels(index), includeActivations: true).Prediction.Layers![^1].Values, answer.Prediction.Layers![^1].Values);
            Assert.Equal(answer.Prediction.Confidence < RejectPolicy.Default.MinConfidenceFor(Model), answer.Rejected);
        }
        Assert.Null(Recognizer.Recognize(Model, Pixels(0)).Votes);
    }
}
