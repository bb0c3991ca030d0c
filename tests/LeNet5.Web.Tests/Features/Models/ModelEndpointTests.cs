using System.Net;
using System.Text.Json;
using LeNet5.Core.Models;
using LeNet5.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace LeNet5.Web.Tests.Features.Models;

/// <summary><c>GET /api/models</c>, <c>/api/models/{id}</c> and <c>/api/models/{id}/file[?format=onnx]</c>.</summary>
public sealed class ModelEndpointTests(LeNet5WebFactory factory) : IClassFixture<LeNet5WebFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    private async Task<JsonElement> GetJson(string path)
    {
        var response = await _client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [Fact]
    public async Task TheListShowsTheShippedModelAsActive()
    {
        var list = await GetJson("/api/models");
        var model = list.EnumerateArray().Single(m => m.GetProperty("id").GetString() == "lenet5");
        Assert.True(model.GetProperty("active").GetBoolean());
        Assert.Equal("lenet5", model.GetProperty("architecture").GetString());
        Assert.Equal("rbf", model.GetProperty("options").GetProperty("output").GetString());
        Assert.InRange(model.GetProperty("testAccuracy").GetDouble(), 0.9, 1.0);
        Assert.True(model.GetProperty("sizeBytes").GetInt64() > 100_000);
    }

    [Fact]
    public async Task OneModelShowsItsLayersAndParsedMetadata()
    {
        var model = await GetJson("/api/models/lenet5");
        Assert.Equal("lenet5", model.GetProperty("id").GetString());
        Assert.StartsWith("lenet5 pooling=", model.GetProperty("description").GetString());
        Assert.Equal(60_000, model.GetProperty("parameterCount").GetInt32(), 1_000d);
        Assert.Contains(model.GetProperty("layers").EnumerateArray(), l => l.GetProperty("name").GetString() == "f6");
        var metadata = model.GetProperty("metadata");
        Assert.Equal(JsonValueKind.String, metadata.GetProperty("architecture").ValueKind);
        // JSON-valued metadata (the training options) is answered as JSON, not as a string
        Assert.Equal(JsonValueKind.Object, metadata.GetProperty("training").ValueKind);
    }

    [Fact]
    public async Task TheFileDownloadsAsTheModelThatAnswers()
    {
        var response = await _client.GetAsync("/api/models/lenet5/file");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("lenet5.safetensors", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var listed = (await GetJson("/api/models")).EnumerateArray().Single(m => m.GetProperty("id").GetString() == "lenet5");
        Assert.Equal(listed.GetProperty("sizeBytes").GetInt64(), bytes.Length);
        var model = ModelFile.Read(bytes, "download", out _);
        Assert.Equal("lenet5", model.Architecture.Name);
    }

    [Fact]
    public async Task TheOnnxFileRunsInOnnxRuntimeAsTheModelAnswers()
    {
        var response = await _client.GetAsync("/api/models/lenet5/file?format=onnx");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(OnnxExport.MediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("lenet5.onnx", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        using var session = new InferenceSession(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("lenet5.safetensors", session.ModelMetadata.CustomMetadataMap["source"]);

        var digit = TestMnist.Test.Image(1).ToArray();
        var pixels = new DenseTensor<float>(digit.Select(b => (float)b).ToArray(), [1, 1, 28, 28]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExport.Input, pixels)]);
        var theirs = results.Single(r => r.Name == OnnxExport.Probabilities).AsTensor<float>().ToArray();
        var predict = await _client.PostAsync("/api/predict", ApiAssert.JsonBody(new { pixels = digit.Select(b => (int)b).ToArray() }));
        var ours = await ApiAssert.Prediction(predict);
        Assert.Equal(ours.Digit, Array.IndexOf(theirs, theirs.Max()));
        Assert.Equal(ours.Confidence, theirs.Max(), 1e-4);
    }

    [Theory]
    [InlineData("safetensors")]
    [InlineData("SafeTensors")]
    public async Task SafetensorsIsTheDefaultFormatAndCanBeNamed(string format)
    {
        var named = await _client.GetByteArrayAsync($"/api/models/lenet5/file?format={format}");
        Assert.Equal(await _client.GetByteArrayAsync("/api/models/lenet5/file"), named);
    }

    [Fact]
    public async Task AnUnknownFormatIsABadRequestNamingTheFormats()
    {
        var problem = await ApiAssert.Problem(await _client.GetAsync("/api/models/lenet5/file?format=pickle"), HttpStatusCode.BadRequest);
        var title = problem.GetProperty("title").GetString()!;
        Assert.Contains("'pickle'", title);
        Assert.Contains("format=safetensors", title);
        Assert.Contains("format=onnx", title);
    }

    [Fact]
    public async Task AnUnknownModelIsNotFoundWhateverTheFormat()
    {
        await ApiAssert.Problem(await _client.GetAsync("/api/models/nope/file?format=onnx"), HttpStatusCode.NotFound);
    }
}
