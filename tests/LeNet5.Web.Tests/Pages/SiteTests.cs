using System.Net;
using System.Text.Json;

namespace LeNet5.Web.Tests.Pages;

/// <summary>The page, its static files, the health check and the API documents.</summary>
public sealed class SiteTests(LeNet5WebFactory factory) : IClassFixture<LeNet5WebFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    // MapStaticAssets answers 200 with an empty body when a file is not where its manifest says
    [Theory]
    [InlineData("/", "text/html", "<canvas id=\"pad\"")]
    [InlineData("/css/site.css", "text/css", "touch-action: none")]
    [InlineData("/test-set", "text/html", "<table id=\"matrix\"")]
    [InlineData("/css/test-set.css", "text/css", ".matrix button.cell")]
    [InlineData("/js/test-set.js", "text/javascript", "/api/mnist/test/pixels")]
    [InlineData("/js/draw/main.js", "text/javascript", "/api/predict")]
    [InlineData("/js/draw/pad.js", "text/javascript", "pointerdown")]
    [InlineData("/js/draw/maps.js", "text/javascript", "export function render")]
    [InlineData("/js/admin/main.js", "text/javascript", "initForm")]
    [InlineData("/lib/chart.js/chart.umd.min.js", "text/javascript", "Chart")]
    [InlineData("/favicon.svg", "image/svg+xml", "<svg")]
    public async Task PagesAndStaticFilesComeBackNonEmpty(string path, string mediaType, string expected)
    {
        var response = await _client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(body.Length > 100, $"{path} came back with {body.Length} characters");
        Assert.Contains(expected, body);
    }

    [Fact]
    public async Task ThePageLinksItsScriptsAndLabelsItsControls()
    {
        var page = await _client.GetStringAsync("/");
        Assert.Contains("lib/chart.js/chart.umd.min", page);
        Assert.Contains("js/draw/main", page);
        Assert.Contains("aria-label=\"Undo the last stroke\"", page);
        Assert.Contains("aria-label=\"Clear the drawing\"", page);
        Assert.Contains("aria-label=\"Pen width\"", page);
        Assert.Contains("<script type=\"application/json\" id=\"vocabulary\">{", page);
        Assert.Contains("\"prototypes\":[", page);
    }

    [Fact]
    public async Task HealthzIs200WithAModel()
    {
        var response = await _client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesTheApi()
    {
        var response = await _client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString());
        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/api/predict", "/api/predict/batch", "/api/models", "/api/models/{id}", "/api/models/{id}/file" })
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is not documented");
        var predict = paths.GetProperty("/api/predict").GetProperty("post");
        var content = predict.GetProperty("requestBody").GetProperty("content");
        foreach (var type in new[] { "application/json", "multipart/form-data", "image/png", "image/webp" })
            Assert.True(content.TryGetProperty(type, out _), $"{type} is not documented");
        foreach (var status in new[] { "200", "400", "413", "415", "422", "429" })
            Assert.True(predict.GetProperty("responses").TryGetProperty(status, out _), $"{status} is not documented");
    }

    [Fact]
    public async Task TheApiReferencePageIsServed()
    {
        var response = await _client.GetAsync("/scalar/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("openapi/v1.json", html);
    }
}
