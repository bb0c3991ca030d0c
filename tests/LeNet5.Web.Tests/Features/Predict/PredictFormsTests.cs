using static LeNet5.Web.Tests.Support.Bodies;

namespace LeNet5.Web.Tests.Features.Predict;

/// <summary>Every form <c>POST /api/predict</c> and <c>/api/predict/batch</c> accept, answered correctly.</summary>
public sealed class PredictFormsTests(LeNet5WebFactory factory) : IClassFixture<LeNet5WebFactory>
{
    // MNIST test digits 0-4 are a 7, a 2, a 1, a 0 and a 4
    private static ReadOnlySpan<byte> Digit(int index) => TestMnist.Test.Image(index);
    private static int Label(int index) => TestMnist.Test.Labels[index];

    private readonly HttpClient _client = factory.CreateClient();

    [Theory]
    [InlineData("png", "image/png")]
    [InlineData("jpeg", "image/jpeg")]
    [InlineData("bmp", "image/bmp")]
    [InlineData("gif", "image/gif")]
    [InlineData("webp", "image/webp")]
    [InlineData("png", "application/octet-stream")]
    public async Task RawImageBodyInEveryFormatIsRecognised(string format, string mediaType)
    {
        var answer = await ApiAssert.Prediction(await _client.PostAsync("/api/predict", Raw(TestImages.MnistAs(Digit(0), format), mediaType)));
        Assert.Equal(Label(0), answer.Digit);
        Assert.False(answer.Rejected);
        Assert.Equal("lenet5", answer.Model);
        Assert.Null(answer.Input);
        Assert.Null(answer.Layers);
    }

    [Fact]
    public async Task OnlyTheFirstFrameOfAnAnimatedGifCounts()
    {
        var answer = await ApiAssert.Prediction(await _client.PostAsync("/api/predict", Raw(TestImages.AnimatedGif(Digit(1)), "image/gif")));
        Assert.Equal(Label(1), answer.Digit);
    }

    [Fact]
    public async Task MultipartFileFieldImageIsRecognised()
    {
        using var form = new MultipartFormDataContent();
        var file = Raw(TestImages.MnistPng(Digit(2)), "image/png");
        form.Add(file, "image", "digit.png");
        var answer = await ApiAssert.Prediction(await _client.PostAsync("/api/predict", form));
        Assert.Equal(Label(2), answer.Digit);
    }

    [Fact]
    public async Task JsonDataUrlAndPlainBase64AreRecognised()
    {
        var png = TestImages.MnistPng(Digit(3));
        var dataUrl = await ApiAssert.Prediction(await _client.PostAsync("/api/predict",
            ApiAssert.JsonBody(new { image = "data:image/png;base64," + Convert.ToBase64String(png) })));
        Assert.Equal(Label(3), dataUrl.Digit);
        var plain = await ApiAssert.Prediction(await _client.PostAsync("/api/predict", ApiAssert.JsonBody(new { image = Convert.ToBase64String(png) })));
        Assert.Equal(Label(3), plain.Digit);
    }

    [Fact]
    public async Task JsonPixelsAreUsedAsTheyAre()
    {
        var pixels = Digit(4).ToArray().Select(b => (int)b).ToArray();
        var answer = await ApiAssert.Prediction(await _client.PostAsync("/api/predict?details=true", ApiAssert.JsonBody(new { pixels })));
        Assert.Equal(Label(4), answer.Digit);
        Assert.Equal(pixels.Select(p => (double)p), answer.Input!);
    }

    [Fact]
    public async Task ACanvasDrawingOfDarkInkOnTransparentPixelsIsRead()
    {
        // a "1": one slightly slanted stroke, as canvas.toDataURL() gives it
        var one = TestImages.CanvasDrawing(280, 20, [(0.55f, 0.15f), (0.5f, 0.5f), (0.45f, 0.85f)]);
        var answer = await ApiAssert.Prediction(await _client.PostAsync("/api/predict",
            ApiAssert.JsonBody(new { image = "data:image/png;base64," + Convert.ToBase64String(one) })));
        Assert.Equal(1, answer.Digit);
        Assert.False(answer.Rejected);
    }

    [Fact]
    public async Task LightInkOnDarkAndDarkInkOnLightGiveTheSameDigit()
    {
        // MNIST as it is (white on black) and inverted (black on white)
        using var raw = SixLabors.ImageSharp.Image.LoadPixelData<SixLabors.ImageSharp.PixelFormats.L8>(Digit(0).ToArray(), 28, 28);
        var whiteOnBlack = await ApiAssert.Prediction(await _client.PostAsync("/api/predict", Raw(TestImages.Encode(raw, "png"), "image/png")));
        var blackOnWhite = await ApiAssert.Prediction(await _client.PostAsync("/api/predict", Raw(TestImages.MnistPng(Digit(0), 28), "image/png")));
        Assert.Equal(Label(0), whiteOnBlack.Digit);
        Assert.Equal(Label(0), blackOnWhite.Digit);
    }

    [Fact]
    public async Task NamingTheModelUsesIt()
    {
        var answer = await ApiAssert.Prediction(await _client.PostAsync("/api/predict?model=lenet5", Raw(TestImages.MnistPng(Digit(0)), "image/png")));
        Assert.Equal("lenet5", answer.Model);
    }

    [Fact]
    public async Task DetailsGiveTheInputEveryLayerAndTheDistances()
    {
        var answer = await ApiAssert.Prediction(await _client.PostAsync("/api/predict?details=true", Raw(TestImages.MnistPng(Digit(0)), "image/png")));
        Assert.Equal(784, answer.Input!.Length);
        Assert.All(answer.Input, v => Assert.InRange(v, 0, 255));
        Assert.Equal(255, answer.Input.Max());
        var names = answer.Layers!.Select(l => l.Name).ToArray();
        Assert.Equal(["input", "c1", "c1.tanh", "s2", "c3", "c3.tanh", "s4", "c5", "c5.tanh", "f6", "f6.tanh"], names);
        foreach (var layer in answer.Layers!)
            Assert.Equal(layer.Shape.Aggregate(1, (a, b) => a * b), layer.Activations.Length);
        Assert.Equal([6, 28, 28], answer.Layers.Single(l => l.Name == "c1").Shape);
        Assert.Equal([16, 5, 5], answer.Layers.Single(l => l.Name == "s4").Shape);
        // the RBF model's class is the prototype nearest to F6's output
        Assert.Equal(10, answer.Distances!.Length);
        Assert.Equal(answer.Digit, Array.IndexOf(answer.Distances, answer.Distances.Min()));
    }

    [Fact]
    public async Task MultipartBatchIsAnsweredInOrder()
    {
        using var form = new MultipartFormDataContent();
        for (int i = 0; i < 5; i++) form.Add(Raw(TestImages.MnistPng(Digit(i)), "image/png"), "images", $"digit{i}.png");
        var answers = await ApiAssert.Predictions(await _client.PostAsync("/api/predict/batch", form));
        Assert.Equal(Enumerable.Range(0, 5).Select(Label), answers.Select(a => a.Digit));
    }

    [Fact]
    public async Task JsonBatchMixesDataUrlsAndPixelsInOrder()
    {
        var images = new object[]
        {
            "data:image/png;base64," + Convert.ToBase64String(TestImages.MnistPng(Digit(3))),
            new { pixels = Digit(1).ToArray().Select(b => (int)b) },
            new { image = "data:image/jpeg;base64," + Convert.ToBase64String(TestImages.MnistAs(Digit(2), "jpeg")) },
        };
        var answers = await ApiAssert.Predictions(await _client.PostAsync("/api/predict/batch?details=true", ApiAssert.JsonBody(new { images })));
        Assert.Equal([Label(3), Label(1), Label(2)], answers.Select(a => a.Digit));
        Assert.All(answers, a => Assert.Equal(784, a.Input!.Length));
    }

    [Fact]
    public async Task NoiseAndScribblesAreRejectedAndRealDigitsAreNot()
    {
        for (int seed = 0; seed < 3; seed++)
        {
            var noise = await ApiAssert.Prediction(await _client.PostAsync("/api/predict", Raw(TestImages.Noise(280, seed), "image/png")));
            Assert.True(noise.Rejected, $"noise {seed} was read as a sure {noise.Digit} ({noise.Confidence:0.000})");
            var scribble = await ApiAssert.Prediction(await _client.PostAsync("/api/predict", Raw(TestImages.Scribble(280, seed), "image/png")));
            Assert.True(scribble.Rejected, $"scribble {seed} was read as a sure {scribble.Digit} ({scribble.Confidence:0.000})");
        }
        for (int i = 0; i < 5; i++)
            Assert.False((await ApiAssert.Prediction(await _client.PostAsync("/api/predict", Raw(TestImages.MnistPng(Digit(i)), "image/png")))).Rejected);
    }
}
