using Xunit.Abstractions;

namespace LeNet5.Web.Tests.Features.Predict;

/// <summary>Real MNIST test digits sent as files people would send are read as well as the network reads MNIST.</summary>
public sealed class RecognitionTests(LeNet5WebFactory factory, ITestOutputHelper output) : IClassFixture<LeNet5WebFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task TwoHundredMnistTestDigitsAsPngsAreRecognised()
    {
        var test = TestMnist.Test;
        var indices = Enumerable.Range(0, 200).Select(i => i * 50 + 7).ToArray(); // spread over the whole test set
        int correct = 0, rejected = 0;
        foreach (var chunk in indices.Chunk(50))
        {
            using var form = new MultipartFormDataContent();
            foreach (var i in chunk)
            {
                form.Add(Bodies.Raw(TestImages.MnistPng(test.Image(i)), "image/png"), "images", $"{i}.png");
            }
            var answers = await ApiAssert.Predictions(await _client.PostAsync("/api/predict/batch", form));
            for (int k = 0; k < chunk.Length; k++)
            {
                if (answers[k].Digit == test.Labels[chunk[k]]) correct++;
                if (answers[k].Rejected) rejected++;
            }
        }
        double accuracy = correct / (double)indices.Length;
        output.WriteLine($"{correct}/{indices.Length} correct ({accuracy:P1}), {rejected} rejected");
        Assert.True(accuracy >= 0.97, $"only {correct} of {indices.Length} recognised");
        Assert.True(rejected <= 8, $"{rejected} of {indices.Length} real digits rejected");
    }
}
