using System.Net;

namespace LeNet5.Web.Tests.Features.Health;

/// <summary>
/// GET /metrics speaks Prometheus: ASP.NET Core's request metrics and ours, counted from real
/// requests. (A meter listener hears every host in the test process, so this test's answers are told
/// apart by a model id of its own.)
/// </summary>
public sealed class MetricsTests : IDisposable
{
    private readonly string _models = Directory.CreateTempSubdirectory("lenet5web-metrics-").FullName;

    public void Dispose() => Directory.Delete(_models, recursive: true);

    [Fact]
    public async Task PredictionsRefusalsAndRequestsAreCounted()
    {
        File.Copy(RepoPaths.ShippedModel, Path.Combine(_models, "metrics-probe.safetensors"));
        using var factory = LeNet5WebFactory.With(new Dictionary<string, string?> { ["Models:Directory"] = _models, ["Admin:Token"] = AdminApp.Token });
        var client = factory.CreateClient();
        var seven = TestMnist.Test.Image(0).ToArray().Select(b => (int)b);
        for (int i = 0; i < 3; i++) await ApiAssert.Prediction(await client.PostAsync("/api/predict", ApiAssert.JsonBody(new { pixels = seven })));
        await ApiAssert.Prediction(await client.PostAsync("/api/predict", Bodies.Raw(TestImages.MnistPng(TestMnist.Test.Image(0)), "image/png")));
        await ApiAssert.Problem(await client.PostAsync("/api/predict", ApiAssert.JsonBody(new { pixels = new int[784] })), HttpStatusCode.UnprocessableEntity);

        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminApp.Token);
        var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n');
        double Value(Func<string, bool> match) => lines.Where(l => !l.StartsWith('#') && match(l)).Select(l => double.Parse(l.Split(' ')[^1].Trim(), System.Globalization.CultureInfo.InvariantCulture)).Sum();

        Assert.Equal(4, Value(l => l.StartsWith("lenet5_predictions_total{", StringComparison.Ordinal) && l.Contains("digit=\"7\"") && l.Contains("model=\"metrics-probe\"") && l.Contains("rejected=\"false\"")));
        Assert.True(Value(l => l.StartsWith("lenet5_preparation_failures_total{", StringComparison.Ordinal) && l.Contains("kind=\"blank\"")) >= 1, "the blank grid is not counted");
        Assert.True(Value(l => l.StartsWith("lenet5_recognition_duration_seconds_count{", StringComparison.Ordinal) && l.Contains("input=\"image\"")) >= 1, "no image timed");
        Assert.True(Value(l => l.StartsWith("lenet5_recognition_duration_seconds_count{", StringComparison.Ordinal) && l.Contains("input=\"pixels\"")) >= 3, "no pixels timed");
        Assert.True(Value(l => l.StartsWith("http_server_request_duration_seconds_count{", StringComparison.Ordinal) && l.Contains("http_route=\"/api/predict/\"")) >= 5,
            "ASP.NET Core's request metric is missing");
    }

    [Fact]
    public async Task MetricsAreForTheAdminsTokenOrAnAllowedNetworkOnly()
    {
        using var data = new AdminApp();
        using (var web = new WebProcess(data.DataDirectory, ("Admin__Token", AdminApp.Token)))
        {
            using var client = new HttpClient { BaseAddress = await web.AddressAsync() };
            await ApiAssert.Problem(await client.GetAsync("/metrics"), HttpStatusCode.Unauthorized);
            using var wrong = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = new("Bearer", "not-the-token") } };
            await ApiAssert.Problem(await client.SendAsync(wrong), HttpStatusCode.Unauthorized);
            using var right = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = new("Bearer", AdminApp.Token) } };
            var scraped = await client.SendAsync(right);
            Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
            Assert.Contains("http_server", await scraped.Content.ReadAsStringAsync());
        }
        using (var web = new WebProcess(data.DataDirectory, ("Admin__Token", AdminApp.Token), ("Metrics__AllowedNetworks__0", "127.0.0.0/8")))
        {
            using var client = new HttpClient { BaseAddress = await web.AddressAsync() };
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/metrics")).StatusCode);
        }
        using (var web = new WebProcess(data.DataDirectory, ("Admin__Token", AdminApp.Token), ("Metrics__AllowedNetworks__0", "10.0.0.0/8")))
        {
            using var client = new HttpClient { BaseAddress = await web.AddressAsync() };
            await ApiAssert.Problem(await client.GetAsync("/metrics"), HttpStatusCode.Unauthorized);
        }
    }
}
