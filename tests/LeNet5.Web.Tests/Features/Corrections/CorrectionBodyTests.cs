using System.Net;
using System.Text;

namespace LeNet5.Web.Tests.Features.Corrections;

/// <summary>
/// The review API's hand-read JSON bodies: a body that is not JSON is refused with a title that shows
/// what this endpoint takes (not what /api/predict takes), and a label is a digit from 0 to 9.
/// </summary>
public sealed class CorrectionBodyTests : IDisposable
{
    private readonly AdminApp _app = new();
    private readonly LeNet5WebFactory _factory;
    private readonly HttpClient _admin;

    public CorrectionBodyTests()
    {
        _factory = _app.Factory();
        _admin = AdminApp.Admin(_factory);
    }

    public void Dispose()
    {
        _factory.Dispose();
        _app.Dispose();
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    [Theory]
    [InlineData("/api/corrections/1/relabel", "{\"label\": D}")]
    [InlineData("/api/corrections/bulk", "{\"action\": \"reject\"|\"delete\"")]
    public async Task MalformedJsonIsRefusedWithATitleThatShowsWhatThisEndpointTakes(string path, string send)
    {
        var problem = await ApiAssert.Problem(await _admin.PostAsync(path, Json("{\"label\":")), HttpStatusCode.BadRequest);
        var title = problem.GetProperty("title").GetString()!;
        Assert.StartsWith("The JSON body is malformed; send ", title);
        Assert.Contains(send, title);
    }

    [Theory]
    [InlineData("/api/corrections/1/relabel")]
    [InlineData("/api/corrections/bulk")]
    public async Task AnotherContentTypeIs415AndSaysToSendJson(string path)
    {
        var problem = await ApiAssert.Problem(await _admin.PostAsync(path, new StringContent("label=1", Encoding.UTF8, "text/plain")), HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("send application/json {", problem.GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("{\"label\": 10}")]
    [InlineData("{\"label\": -1}")]
    [InlineData("{\"label\": 4.5}")]
    [InlineData("{\"label\": \"4\"}")]
    [InlineData("{\"digit\": 4}")]
    public async Task ARelabelIsADigitFrom0To9(string body)
    {
        var problem = await ApiAssert.Problem(await _admin.PostAsync("/api/corrections/1/relabel", Json(body)), HttpStatusCode.BadRequest);
        Assert.Equal("Invalid relabel: label must be a digit from 0 to 9.", problem.GetProperty("title").GetString());
        Assert.Equal("label must be a digit from 0 to 9", problem.GetProperty("errors").GetProperty("label")[0].GetString());
    }

    [Theory]
    [InlineData("label=10", "label")]
    [InlineData("predicted=-1", "predicted")]
    public async Task AFilterDigitIsFrom0To9(string query, string field)
    {
        var problem = await ApiAssert.Problem(await _admin.GetAsync($"/api/corrections?{query}"), HttpStatusCode.BadRequest);
        Assert.Equal($"{field} must be a digit from 0 to 9", problem.GetProperty("errors").GetProperty(field)[0].GetString());
    }
}
