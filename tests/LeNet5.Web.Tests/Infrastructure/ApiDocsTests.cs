using System.Net;
using System.Text.Json;

namespace LeNet5.Web.Tests.Infrastructure;

/// <summary>The served OpenAPI document: Redocly's recommended rules, and who may call what.</summary>
public sealed class ApiDocsTests(LeNet5WebFactory factory) : IClassFixture<LeNet5WebFactory>
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options"];

    [Fact]
    public async Task TheDocumentPassesRedoclysRecommendedRules()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("lenet5web-openapi-").FullName, "openapi.json");
        try
        {
            await File.WriteAllTextAsync(file, await DocumentTextAsync());
            var (exitCode, output) = await Redocly.LintAsync(file);
            Assert.True(exitCode == 0, $"redocly lint found errors (exit {exitCode}):\n{output}");
            Assert.Contains("Woohoo! Your API description is valid.", output);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }

    [Fact]
    public async Task AdminOperationsNameTheBearerTokenAndTheCookieAndPublicOnesNothing()
    {
        var document = JsonDocument.Parse(await DocumentTextAsync()).RootElement;
        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("bearer", schemes.GetProperty("adminToken").GetProperty("scheme").GetString());
        Assert.Equal("cookie", schemes.GetProperty("adminCookie").GetProperty("in").GetString());
        Assert.False(document.TryGetProperty("security", out _)); // no requirement for the whole API

        var admin = new List<string>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        foreach (var operation in path.Value.EnumerateObject().Where(o => Methods.Contains(o.Name)))
        {
            var name = $"{operation.Name.ToUpperInvariant()} {path.Name}";
            var requirements = operation.Value.TryGetProperty("security", out var security)
                ? security.EnumerateArray().Select(r => string.Join('+', r.EnumerateObject().Select(s => s.Name))).Where(r => r.Length > 0).ToArray()
                : [];
            if (requirements.Length == 0)
            {
                Assert.False(operation.Value.GetProperty("responses").TryGetProperty("401", out _), $"{name} answers 401 but names no credentials");
                continue;
            }
            admin.Add(name);
            Assert.Equal(["adminToken", "adminCookie"], requirements);
        }

        foreach (var expected in new[] { "GET /api/training", "POST /api/training", "POST /api/models/{id}/activate", "GET /api/corrections" })
            Assert.Contains(expected, admin);
        foreach (var open in new[] { "POST /api/predict", "GET /api/models", "POST /api/corrections", "POST /api/explain" })
            Assert.DoesNotContain(open, admin);
    }

    [Fact]
    public async Task ServersTagsAndLicenceAreDescribed()
    {
        var document = JsonDocument.Parse(await DocumentTextAsync()).RootElement;
        foreach (var server in document.GetProperty("servers").EnumerateArray())
            Assert.False(server.GetProperty("url").GetString()!.EndsWith('/'), $"server {server} ends with a slash");
        var tags = document.GetProperty("tags").EnumerateArray().ToArray();
        Assert.NotEmpty(tags);
        foreach (var tag in tags)
            Assert.False(string.IsNullOrWhiteSpace(tag.TryGetProperty("description", out var d) ? d.GetString() : null), $"tag {tag} has no description");
        Assert.Equal("MIT", document.GetProperty("info").GetProperty("license").GetProperty("name").GetString());
    }

    private async Task<string> DocumentTextAsync()
    {
        var response = await factory.CreateClient().GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
