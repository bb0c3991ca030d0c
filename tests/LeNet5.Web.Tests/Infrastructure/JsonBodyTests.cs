using System.Text.Json;
using LeNet5.Web.Infrastructure;

namespace LeNet5.Web.Tests.Infrastructure;

/// <summary>The one JSON body reader: what counts as JSON, and unknown fields told from the contract's names.</summary>
public sealed class JsonBodyTests
{
    [Theory]
    [InlineData("application/json", true)]
    [InlineData("APPLICATION/JSON", true)]
    [InlineData("application/problem+json", true)]
    [InlineData("text/json", false)]
    [InlineData("text/plain", false)]
    [InlineData(null, false)]
    public void JsonIsApplicationJsonOrAPlusJsonType(string? mediaType, bool json) => Assert.Equal(json, JsonBody.IsJson(mediaType));

    [Fact]
    public void UnknownFieldsAreThoseTheContractDoesNotName()
    {
        using var body = JsonDocument.Parse("{\"label\": 1, \"Label\": 2, \"email\": \"x\"}");
        Assert.Equal(["Label", "email"], JsonBody.UnknownFields(body.RootElement, new HashSet<string> { "label" }));
        using var array = JsonDocument.Parse("[1]");
        Assert.Empty(JsonBody.UnknownFields(array.RootElement, new HashSet<string> { "label" }));
    }

    [Fact]
    public void AMalformedBodyIsA400ThatShowsWhatToSend()
    {
        var problem = Assert.Throws<ApiProblem>(() => JsonBody.Parse("{\"a\":"u8.ToArray(), "{\"a\": 1}"));
        Assert.Equal(400, problem.Status);
        Assert.Equal("The JSON body is malformed; send {\"a\": 1}.", problem.Title);
    }
}
