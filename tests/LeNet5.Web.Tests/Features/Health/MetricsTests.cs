using System.Net;

namespace LeNet5.Web.Tests.Features.Health;

/// <summary>GET /metrics speaks Prometheus: ASP.NET Core's request metrics and ours, counted from real requests.</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task PredictionsRefusalsAndRequestsAreCounted()
    {
        using var factory = new LeNet5WebFactory();
        var client = factory.CreateClient();
        var seven = TestMnist.Test.Image(0).ToArray().Select(b => (int)b);
        for (int i = 0; i < 3; i++) await ApiAssert.Prediction(await client.PostAsync("/api/predict", ApiAssert.JsonBody(new { pixels = seven })));
        await ApiAssert.Prediction(await client.PostAsync("/api/predict", Bodies.Raw(TestImages.MnistPng(TestMnist.Test.Image(0)), "image/png")));
        await ApiAssert.Problem(await client.PostAsync("/api/predict", ApiAssert.JsonBody(new { pixels = new int[784] })), HttpStatusCode.UnprocessableEntity);

        var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n');
        double Value(Func<string, bool> match) => lines.Where(l => !l.StartsWith('#') && match(l)).Select(l => double.Parse(l.Split(' ')[^1].Trim(), System.Globalization.CultureInfo.InvariantCulture)).Sum();

        Assert.Equal(4, Value(l => l.StartsWith("lenet5_predictions_total{", StringComparison.Ordinal) && l.Contains("digit=\"7\"") && l.Contains("model=\"lenet5\"") && l.Contains("rejected=\"false\"")));
        Assert.Equal(1, Value(l => l.StartsWith("lenet5_preparation_failures_total{", StringComparison.Ordinal) && l.Contains("kind=\"blank\"")));
        Assert.Equal(1, Value(l => l.StartsWith("lenet5_recognition_duration_seconds_count{", StringComparison.Ordinal) && l.Contains("input=\"picture\"")));
        Assert.Equal(3, Value(l => l.StartsWith("lenet5_recognition_duration_seconds_count{", StringComparison.Ordinal) && l.Contains("input=\"pixels\"")));
        Assert.True(Value(l => l.StartsWith("http_server_request_duration_seconds_count{", StringComparison.Ordinal) && l.Contains("http_route=\"/api/predict/\"")) >= 5,
            "ASP.NET Core's request metric is missing");
    }
}
