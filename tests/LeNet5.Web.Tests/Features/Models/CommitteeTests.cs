using LeNet5.Core.Models;
using LeNet5.Core.Recognition;
using LeNet5.Web.Features.Models;

namespace LeNet5.Web.Tests.Features.Models;

/// <summary>Models:Committee over real HTTP: the lead answers with the members' mean probabilities and says who voted what.</summary>
public sealed class CommitteeTests
{
    private static readonly DigitRecognizer Engine = new(new LeNet5.Imaging.DigitImagePreparer(), RejectPolicy.Default);

    private static LeNet5Model Shipped(string id) => ModelFile.Load(Path.Combine(RepoPaths.ModelsDirectory, id + ".safetensors"));

    private static LeNet5WebFactory WithCommittee(params string[] ids) =>
        LeNet5WebFactory.With(new Dictionary<string, string?> { ["Models:Committee"] = string.Join(",", ids) });

    [Fact]
    public async Task TheLeadAnswersWithTheMeanOfTheMembersProbabilitiesAndOtherModelsAlone()
    {
        using var factory = WithCommittee("lenet5", "lenet5-softmax");
        var client = factory.CreateClient();
        var test = TestMnist.Test;
        foreach (int index in (int[])[0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
        {
            var png = TestImages.MnistPng(test.Image(index));
            var answer = await ApiAssert.Prediction(await client.PostAsync("/api/predict", Bodies.Raw(png, "image/png")));
            Assert.Equal("lenet5", answer.Model);
            Assert.Equal(["lenet5", "lenet5-softmax"], answer.Committee!.Select(v => v.Model));
            var own = new[] { Shipped("lenet5"), Shipped("lenet5-softmax") }.Select(m => Engine.Recognize(m, png).Prediction).ToArray();
            for (int c = 0; c < 10; c++) Assert.Equal((own[0].Probabilities[c] + own[1].Probabilities[c]) / 2, answer.Probabilities[c], 5);
            Assert.Equal(own.Select(p => p.Digit), answer.Committee!.Select(v => v.Digit));
            Assert.Equal(Array.IndexOf(answer.Probabilities, answer.Probabilities.Max()), answer.Digit);
            Assert.Equal(answer.Probabilities[answer.Digit], answer.Confidence, 6);

            var alone = await ApiAssert.Prediction(await client.PostAsync("/api/predict?model=lenet5-softmax", Bodies.Raw(png, "image/png")));
            Assert.Null(alone.Committee);
            Assert.Equal(own[1].Probabilities.Select(p => (double)p), alone.Probabilities, (a, b) => Math.Abs(a - b) < 1e-6);
        }
    }

    [Fact]
    public async Task AnEmptyCommitteeLetsTheDefaultAnswerAlone()
    {
        using var factory = LeNet5WebFactory.With(new Dictionary<string, string?> { ["Models:Committee"] = "" });
        var answer = await ApiAssert.Prediction(await factory.CreateClient().PostAsync("/api/predict",
            ApiAssert.JsonBody(new { pixels = TestMnist.Test.Image(0).ToArray().Select(b => (int)b) })));
        Assert.Equal("lenet5", answer.Model);
        Assert.Null(answer.Committee);
    }

    [Fact]
    public async Task AMemberThatIsNotLoadedIsLeftOutOfTheVote()
    {
        using var factory = WithCommittee("lenet5", "no-such-model", "lenet5-paper");
        var answer = await ApiAssert.Prediction(await factory.CreateClient().PostAsync("/api/predict",
            ApiAssert.JsonBody(new { pixels = TestMnist.Test.Image(0).ToArray().Select(b => (int)b) })));
        Assert.Equal(["lenet5", "lenet5-paper"], answer.Committee!.Select(v => v.Model));
    }

    [Theory]
    [InlineData("lenet5", false)]
    [InlineData("lenet5,lenet5", false)]
    [InlineData("lenet5,../etc", false)]
    [InlineData("", true)]
    [InlineData("lenet5, lenet5-softmax,lenet5-paper", true)]
    public void ACommitteeIsNoneOrTwoDifferentModelsOrMore(string ids, bool valid)
    {
        Assert.Equal(valid, new CommitteeAttribute().IsValid(ids));
        Assert.Contains("Models:Committee must be empty or name at least two different models", new CommitteeAttribute().FormatErrorMessage("Models:Committee"));
    }
}
