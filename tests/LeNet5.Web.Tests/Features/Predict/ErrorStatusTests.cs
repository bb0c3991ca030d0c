using System.Net;
using System.Net.Http.Headers;
using static LeNet5.Web.Tests.Support.Bodies;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace LeNet5.Web.Tests.Features.Predict;

/// <summary>Bad input gets a 4xx problem+json whose title says what to fix, and never a 5xx.</summary>
public sealed class ErrorStatusTests(LeNet5WebFactory factory) : IClassFixture<LeNet5WebFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    private Task<HttpResponseMessage> Post(HttpContent content, string path = "/api/predict") => _client.PostAsync(path, content);

    private static byte[] RandomBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    // ---- 400 ----

    [Theory]
    [InlineData("image/png")]
    [InlineData("image/jpeg")]
    [InlineData("image/gif")]
    [InlineData("image/webp")]
    [InlineData("image/bmp")]
    [InlineData("application/octet-stream")]
    public async Task RandomBytesAre400(string mediaType)
    {
        var problem = await ApiAssert.Problem(await Post(Raw(RandomBytes(4096, mediaType.Length), mediaType)), HttpStatusCode.BadRequest);
        Assert.Contains("PNG, JPEG, BMP, GIF or WebP", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task RandomBytesBehindAPngSignatureAre400()
    {
        var bytes = RandomBytes(2048, 7);
        byte[] signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
        signature.CopyTo(bytes, 0);
        await ApiAssert.Problem(await Post(Raw(bytes, "image/png")), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task AFormatOutsideTheAcceptedOnesIs400EvenWhenTheDecoderExists()
    {
        // ImageSharp can read TIFF, but the hardened configuration does not know it
        using var image = new Image<L8>(64, 64, new L8(255));
        using var tiff = new MemoryStream();
        image.SaveAsTiff(tiff);
        await ApiAssert.Problem(await Post(Raw(tiff.ToArray(), "image/png")), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ATruncatedPngNeverCausesA5xx()
    {
        var png = TestImages.MnistPng(TestMnist.Test.Image(0));
        var response = await Post(Raw(png[..(png.Length / 2)], "image/png"));
        Assert.True((int)response.StatusCode is 200 or 400 or 422, $"got {(int)response.StatusCode}");
    }

    [Fact]
    public async Task AnEmptyBodyIs400()
    {
        var problem = await ApiAssert.Problem(await Post(Raw([], "image/png")), HttpStatusCode.BadRequest);
        Assert.Contains("empty", problem.GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("{bad json", "malformed")]
    [InlineData("[1, 2, 3]", "must be an object")]
    [InlineData("{}", "exactly one of")]
    [InlineData("{\"image\": \"data:image/png;base64,AAAA\", \"pixels\": []}", "exactly one of")]
    [InlineData("{\"pixels\": [1, 2, 3]}", "784 numbers")]
    [InlineData("{\"pixels\": \"no\"}", "784 numbers")]
    [InlineData("{\"image\": 42}", "must be a string")]
    [InlineData("{\"image\": \"data:image/png;base64,@@@not base64@@@\"}", "not valid base64")]
    [InlineData("{\"image\": \"data:image/png,plain\"}", "base64")]
    [InlineData("{\"image\": \"\"}", "empty")]
    public async Task MalformedJsonIs400WithATitleThatSaysWhatToSend(string json, string titleHint)
    {
        var problem = await ApiAssert.Problem(await Post(Raw(System.Text.Encoding.UTF8.GetBytes(json), "application/json")), HttpStatusCode.BadRequest);
        Assert.Contains(titleHint, problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task PixelsOutOfRangeAre400()
    {
        var pixels = Enumerable.Repeat(0, 784).ToArray();
        pixels[400] = 300;
        await ApiAssert.Problem(await Post(ApiAssert.JsonBody(new { pixels })), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task AFormWithoutTheImageFieldIs400()
    {
        using var form = new MultipartFormDataContent();
        form.Add(Raw(TestImages.MnistPng(TestMnist.Test.Image(0)), "image/png"), "photo", "digit.png");
        var problem = await ApiAssert.Problem(await Post(form), HttpStatusCode.BadRequest);
        Assert.Contains("'image'", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task AnEmptyOrOversizedBatchIs400()
    {
        await ApiAssert.Problem(await Post(ApiAssert.JsonBody(new { images = Array.Empty<string>() }), "/api/predict/batch"), HttpStatusCode.BadRequest);
        var pixels = new { pixels = Enumerable.Repeat(255, 784) };
        await ApiAssert.Problem(await Post(ApiAssert.JsonBody(new { images = Enumerable.Repeat(pixels, 65) }), "/api/predict/batch"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ABadBatchItemIsNamedInTheTitle()
    {
        var images = new object[] { new { pixels = Enumerable.Repeat(255, 784) }, "data:image/png;base64,AAAA" };
        var problem = await ApiAssert.Problem(await Post(ApiAssert.JsonBody(new { images }), "/api/predict/batch"), HttpStatusCode.BadRequest);
        Assert.StartsWith("images[1]", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task AQueryThatDoesNotParseIs400()
    {
        await ApiAssert.Problem(await Post(Raw(TestImages.MnistPng(TestMnist.Test.Image(0)), "image/png"), "/api/predict?details=maybe"), HttpStatusCode.BadRequest);
    }

    // ---- 413 ----

    [Fact]
    public async Task ABodyOverFiveMegabytesIs413()
    {
        var problem = await ApiAssert.Problem(await Post(Raw(new byte[5 * 1024 * 1024 + 1], "image/png")), HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("5 MB", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task AChunkedBodyOverTheLimitIs413WithoutBeingReadWhole()
    {
        var content = new StreamContent(new MemoryStream(new byte[6 * 1024 * 1024]));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/predict") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        await ApiAssert.Problem(await _client.SendAsync(request), HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task APngHeaderDeclaring60000x60000Is413BeforeAnythingIsDecoded()
    {
        var bomb = TestImages.HeaderBomb();
        Assert.Equal(69, bomb.Length);
        var problem = await ApiAssert.Problem(await Post(Raw(bomb, "image/png")), HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("60000x60000", problem.GetProperty("title").GetString());
        Assert.Contains("4096x4096", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task AnImageWiderThanTheLimitIs413()
    {
        await ApiAssert.Problem(await Post(Raw(TestImages.Plain(4097, 30, new Rgba32(255, 255, 255)), "image/png")), HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task ABatchOverThePixelBudgetIs413BeforeAnythingIsDecoded()
    {
        using var limited = LeNet5WebFactory.With(new Dictionary<string, string?> { ["Limits:MaxBatchPixels"] = "50000" });
        var client = limited.CreateClient();
        var png = Convert.ToBase64String(TestImages.MnistPng(TestMnist.Test.Image(0), side: 150)); // 22,500 pixels
        var two = new { images = new[] { "data:image/png;base64," + png, "data:image/png;base64," + png } };
        Assert.Equal(2, (await ApiAssert.Predictions(await client.PostAsync("/api/predict/batch", ApiAssert.JsonBody(two)))).Length);
        var three = new { images = new[] { "data:image/png;base64," + png, "data:image/png;base64," + png, "data:image/png;base64," + png } };
        var problem = await ApiAssert.Problem(await client.PostAsync("/api/predict/batch", ApiAssert.JsonBody(three)), HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("MaxBatchPixels", problem.GetProperty("title").GetString());
    }

    // ---- 415 ----

    [Theory]
    [InlineData("text/plain")]
    [InlineData("image/tiff")]
    [InlineData("image/svg+xml")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task AnUnsupportedContentTypeIs415(string? mediaType)
    {
        var problem = await ApiAssert.Problem(await Post(Raw(TestImages.MnistPng(TestMnist.Test.Image(0)), mediaType)), HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("image/png", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task ADataUrlOfAnotherTypeIs415()
    {
        await ApiAssert.Problem(await Post(ApiAssert.JsonBody(new { image = "data:text/plain;base64,aGVsbG8=" })), HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task AFormFileOfAnotherTypeIs415()
    {
        using var form = new MultipartFormDataContent();
        form.Add(Raw("hello"u8.ToArray(), "text/plain"), "image", "notes.txt");
        await ApiAssert.Problem(await Post(form), HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task ABatchAsARawImageIs415()
    {
        await ApiAssert.Problem(await Post(Raw(TestImages.MnistPng(TestMnist.Test.Image(0)), "image/png"), "/api/predict/batch"), HttpStatusCode.UnsupportedMediaType);
    }

    // ---- 422 ----

    [Fact]
    public async Task AWhitePageIs422()
    {
        var problem = await ApiAssert.Problem(await Post(Raw(TestImages.Plain(280, 280, new Rgba32(255, 255, 255)), "image/png")), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("blank", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task AnEmptyCanvasIs422()
    {
        var empty = TestImages.Plain(280, 280, new Rgba32(0, 0, 0, 0));
        await ApiAssert.Problem(await Post(ApiAssert.JsonBody(new { image = "data:image/png;base64," + Convert.ToBase64String(empty) })), HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task AFaintSmudgeIs422()
    {
        await ApiAssert.Problem(await Post(Raw(TestImages.Plain(100, 100, new Rgba32(240, 240, 240)), "image/png")), HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task BlankPixelsAre422()
    {
        await ApiAssert.Problem(await Post(ApiAssert.JsonBody(new { pixels = new int[784] })), HttpStatusCode.UnprocessableEntity);
    }

    // ---- 404 ----

    [Fact]
    public async Task AnUnknownModelIs404()
    {
        var problem = await ApiAssert.Problem(await Post(Raw(TestImages.MnistPng(TestMnist.Test.Image(0)), "image/png"), "/api/predict?model=no-such-model"), HttpStatusCode.NotFound);
        Assert.Contains("GET /api/models", problem.GetProperty("title").GetString());
        await ApiAssert.Problem(await _client.GetAsync("/api/models/no-such-model"), HttpStatusCode.NotFound);
        await ApiAssert.Problem(await _client.GetAsync("/api/models/no-such-model/file"), HttpStatusCode.NotFound);
        await ApiAssert.Problem(await _client.GetAsync("/api/models/..%2F..%2Fappsettings/file"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AnUnknownPathIsAProblemToo()
    {
        await ApiAssert.Problem(await _client.GetAsync("/api/nothing-here"), HttpStatusCode.NotFound);
    }

    // ---- load ----

    [Fact]
    public async Task ABurstOfConcurrentGoodAndBadRequestsNeverYieldsA5xx()
    {
        var png = TestImages.MnistPng(TestMnist.Test.Image(0));
        var bodies = new Func<HttpContent>[]
        {
            () => Raw(png, "image/png"),
            () => Raw(TestImages.HeaderBomb(), "image/png"),
            () => Raw(RandomBytes(3000, 1), "image/jpeg"),
            () => Raw(TestImages.Noise(200, 3), "image/png"),
            () => Raw(TestImages.Plain(50, 50, new Rgba32(255, 255, 255)), "image/png"),
            () => Raw("{\"pixels\": 1"u8.ToArray(), "application/json"),
        };
        var responses = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => Post(bodies[i % bodies.Length]())));
        Assert.All(responses, r => Assert.True((int)r.StatusCode < 500, $"got {(int)r.StatusCode}"));
        // the digits and the noise are answered (the noise as rejected), the rest refused
        Assert.Equal(20, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
    }
}
