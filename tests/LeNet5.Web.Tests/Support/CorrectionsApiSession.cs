using System.Net;
using System.Text.Json;

namespace LeNet5.Web.Tests.Support;

/// <summary>The corrections API tests' base: an app of the test's own (data folder, database), a public and an admin client, and helpers to contribute and read back drawings.</summary>
public abstract class CorrectionsApiSession : IDisposable
{
    private readonly LeNet5WebFactory _factory;

    protected CorrectionsApiSession()
    {
        _factory = App.Factory();
        Public = _factory.CreateClient();
        Admin = AdminApp.Admin(_factory);
    }

    protected AdminApp App { get; } = new();

    protected HttpClient Public { get; }

    protected HttpClient Admin { get; }

    public void Dispose()
    {
        _factory.Dispose();
        App.Dispose();
        GC.SuppressFinalize(this);
    }

    protected static int[] Digit(int testIndex) => [.. TestMnist.Load().Test.Image(testIndex).ToArray().Select(b => (int)b)];

    protected static int LabelOf(int testIndex) => TestMnist.Load().Test.Labels[testIndex];

    protected async Task<long> ContributeAsync(object body, HttpStatusCode expected = HttpStatusCode.Created)
    {
        var response = await Public.PostAsync("/api/corrections", ApiAssert.JsonBody(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        long id = JsonDocument.Parse(text).RootElement.GetProperty("id").GetInt64();
        if (expected == HttpStatusCode.Created) Assert.Equal($"/api/corrections/{id}", response.Headers.Location?.OriginalString);
        return id;
    }

    protected async Task<JsonElement> JsonAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    protected async Task<int> TotalAsync() => (await JsonAsync(Admin, "/api/corrections")).GetProperty("total").GetInt32();
}
