using System.Text.Json;

namespace LeNet5.Web.Tests.Infrastructure;

/// <summary>What a client sends cannot forge log lines or reach the terminal as escape sequences; logs can be JSON.</summary>
public sealed class LoggingTests : IDisposable
{
    private readonly AdminApp _app = new();

    public void Dispose() => _app.Dispose();

    private const string Forged = "[00:00:00 INF] forged";

    private async Task<IReadOnlyList<string>> LogOfAHostileRequest(params (string Key, string Value)[] environment)
    {
        using var web = new WebProcess(_app.DataDirectory, [("Admin__Token", AdminApp.Token), .. environment]);
        using var client = new HttpClient { BaseAddress = await web.AddressAsync() };
        await client.GetAsync("/api/nothing%0A" + Uri.EscapeDataString(Forged) + "%1B%5B31mred%C2%85" + Uri.EscapeDataString(Forged) + "%E2%80%A8ls%E2%80%A9ps%C2%9B31m");
        await client.GetAsync("/api/models"); // the request log of the first is written before this one's
        await Task.Delay(500);
        return web.Lines;
    }

    [Fact]
    public async Task ARequestPathCannotForgeALogLineOrSendEscapes()
    {
        var lines = await LogOfAHostileRequest();
        Assert.Contains(lines, l => l.Contains("/api/nothing", StringComparison.Ordinal) && l.Contains("\\u000a", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith(Forged, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains('\u001b'));
        // the C1 controls and the Unicode line and paragraph separators are escaped too
        Assert.Contains(lines, l => l.Contains("\\u0085", StringComparison.Ordinal) && l.Contains("\\u2028", StringComparison.Ordinal)
                                    && l.Contains("\\u2029", StringComparison.Ordinal) && l.Contains("\\u009b", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.AsSpan().ContainsAny('\u0085', '\u2028', '\u2029') || l.Contains('\u009b'));
    }

    [Fact]
    public async Task WithLoggingJsonEveryLogLineIsOneJsonObject()
    {
        var lines = await LogOfAHostileRequest(("Logging__Json", "true"));
        var requests = lines.Where(l => l.Contains("/api/nothing", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(requests);
        foreach (var line in lines) Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(line).RootElement.ValueKind);
    }
}
