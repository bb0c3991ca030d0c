using System.Net;
using LeNet5.Imaging;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace LeNet5.Web.Tests.Features.Predict;

/// <summary>
/// A decode that never ends cannot hang its request or hide: the request answers 422 at the deadline,
/// /healthz is unhealthy while the decode runs, further images of that kind get 503 rather than another
/// core, PNGs are still read, and all is well again once the decode ends.
/// </summary>
public sealed class StuckDecodeTests
{
    [Fact]
    public async Task AStuckDecodeAnswersAtItsDeadlineAndShowsInHealthUntilItEnds()
    {
        using var release = new ManualResetEventSlim();
        // in ImageSharp's place, a decode that runs until the test lets it go, as ImageSharp does on a file it loops on
        var preparer = new DigitImagePreparer(new ImageLimits { DecodeTimeout = TimeSpan.FromMilliseconds(300) }, (_, _, _) =>
        {
            release.Wait();
            throw new InvalidDataException("let go by the test");
        });
        using var factory = new LeNet5WebFactory().WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton(preparer)));
        var client = factory.CreateClient();
        await WaitForHealth(client, HttpStatusCode.OK);
        using var image = new Image<Rgba32>(64, 64, Color.White);
        var jpeg = TestImages.Encode(image, "jpeg");
        var png = TestImages.CanvasDrawing(280, 20, [(0.3f, 0.2f), (0.7f, 0.2f), (0.45f, 0.85f)]);

        var late = await ApiAssert.Problem(await client.PostAsync("/api/predict", Bodies.Raw(jpeg, "image/jpeg")), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("took longer than", late.GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/healthz")).StatusCode);
        var refused = await client.PostAsync("/api/predict", Bodies.Raw(jpeg, "image/jpeg"));
        await ApiAssert.Problem(refused, HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(refused.Headers.RetryAfter);
        await ApiAssert.Prediction(await client.PostAsync("/api/predict", Bodies.Raw(png, "image/png")));

        release.Set();
        await WaitForHealth(client, HttpStatusCode.OK);
    }

    private static async Task WaitForHealth(HttpClient client, HttpStatusCode status)
    {
        for (var started = DateTime.UtcNow; DateTime.UtcNow - started < TimeSpan.FromSeconds(30); await Task.Delay(50))
            if ((await client.GetAsync("/healthz")).StatusCode == status) return;
        Assert.Fail($"/healthz did not answer {(int)status} within 30 s");
    }
}
