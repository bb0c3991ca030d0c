using System.Net;
using System.Net.Http.Json;
using LeNet5.Core.Explanation;
using LeNet5.Core.Models;
using LeNet5.Core.Networks;
using static LeNet5.Web.Tests.Support.Bodies;

namespace LeNet5.Web.Tests.Features.Explain;

/// <summary><c>POST /api/explain</c>, <c>POST /api/explain/nudge</c>, <c>GET /api/models/{id}/dreams</c> and the parameters the page inspects units with.</summary>
public sealed class ExplainApiTests(LeNet5WebFactory factory) : IClassFixture<LeNet5WebFactory>
{
    private readonly HttpClient _client = factory.CreateClient();
    private static readonly LeNet5Model Shipped = ModelFile.Load(RepoPaths.ShippedModel);

    public sealed record ExplainAnswer(int Digit, int Target, int RunnerUp, float Evidence, float[] Saliency, float[] Pixels, string Model, double ElapsedMs);
    public sealed record NudgeAnswer(float[] Pixels, int Digit, int Target, int From, bool Reached, int Steps, float MaxChange, float MeanChange, float[] Original, string Model);
    public sealed record DreamAnswer(int Digit, float[] Pixels);
    public sealed record TensorAnswer(string Name, int[] Shape, float[] Values);
    public sealed record LayerParametersAnswer(string Name, string Kind, int[] InputShape, int[] OutputShape, TensorAnswer[] Tensors, int[][]? Table);
    public sealed record ParametersAnswer(string Model, string Architecture, LayerParametersAnswer[] Layers);

    private static float[] Pixels(int index) => Array.ConvertAll(TestMnist.Test.Image(index).ToArray(), b => (float)b);

    private async Task<T> Ok<T>(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {text}");
        return System.Text.Json.JsonSerializer.Deserialize<T>(text, ApiAssert.Json)!;
    }

    [Fact]
    public async Task AImageIsExplainedByTheGradientOfItsDigitsEvidence()
    {
        var image = TestImages.MnistAs(TestMnist.Test.Image(0), "png", side: 280);
        var answer = await Ok<ExplainAnswer>(await _client.PostAsync("/api/explain?model=lenet5", Raw(image, "image/png")));
        Assert.Equal(TestMnist.Test.Labels[0], answer.Digit);
        Assert.Equal(answer.Digit, answer.Target);
        Assert.NotEqual(answer.Digit, answer.RunnerUp);
        Assert.Equal(784, answer.Saliency.Length);
        Assert.Equal(784, answer.Pixels.Length);
        // the engine's gradient at the prepared pixels the answer names
        var expected = new float[784];
        float evidence = new EvidenceGradient(Shipped).Compute(answer.Pixels, answer.Target, expected);
        Assert.Equal(evidence, answer.Evidence, 3);
        for (int i = 0; i < 784; i++) Assert.Equal(expected[i], answer.Saliency[i], 5);
        Assert.True(answer.Saliency.Max(MathF.Abs) > 0);
    }

    [Fact]
    public async Task TheRunnerUpIsExplainedWhenAskedFor()
    {
        var body = ApiAssert.JsonBody(new { pixels = Pixels(1) });
        var answer = await Ok<ExplainAnswer>(await _client.PostAsync("/api/explain?model=lenet5", body));
        var runnerUp = await Ok<ExplainAnswer>(await _client.PostAsync($"/api/explain?model=lenet5&target={answer.RunnerUp}", ApiAssert.JsonBody(new { pixels = Pixels(1) })));
        Assert.Equal(answer.Digit, runnerUp.Digit);
        Assert.Equal(answer.RunnerUp, runnerUp.Target);
        Assert.True(runnerUp.Evidence < answer.Evidence, "the digit read has the most evidence");
        Assert.NotEqual(answer.Saliency, runnerUp.Saliency);
    }

    [Theory]
    [InlineData("/api/explain?target=10")]
    [InlineData("/api/explain?target=-1")]
    [InlineData("/api/explain?target=seven")]
    [InlineData("/api/explain/nudge?target=3.5")]
    [InlineData("/api/explain/nudge")]
    public async Task ABadTargetIs400(string path)
    {
        var problem = await ApiAssert.Problem(await _client.PostAsync(path, ApiAssert.JsonBody(new { pixels = Pixels(0) })), HttpStatusCode.BadRequest);
        Assert.Contains("0 to 9", problem.GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("/api/explain")]
    [InlineData("/api/explain/nudge?target=3")]
    public async Task BadBodiesGetThePredictProblems(string path)
    {
        await ApiAssert.Problem(await _client.PostAsync(path, ApiAssert.JsonBody(new { pixels = new float[784] })), HttpStatusCode.UnprocessableEntity);
        await ApiAssert.Problem(await _client.PostAsync(path, ApiAssert.JsonBody(new { pixels = new float[3] })), HttpStatusCode.BadRequest);
        var noise = new byte[4096];
        new Random(1).NextBytes(noise);
        await ApiAssert.Problem(await _client.PostAsync(path, Raw(noise, "image/png")), HttpStatusCode.BadRequest);
        await ApiAssert.Problem(await _client.PostAsync(path, Raw([1, 2, 3], "text/plain")), HttpStatusCode.UnsupportedMediaType);
        var separator = path.Contains('?') ? '&' : '?';
        await ApiAssert.Problem(await _client.PostAsync($"{path}{separator}model=nope", ApiAssert.JsonBody(new { pixels = Pixels(0) })), HttpStatusCode.NotFound);
        // and the server keeps serving
        await Ok<ExplainAnswer>(await _client.PostAsync("/api/explain", ApiAssert.JsonBody(new { pixels = Pixels(0) })));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public async Task ANudgeIsReadAsItsTarget(int index)
    {
        int label = TestMnist.Test.Labels[index];
        int target = (label + 5) % 10;
        var nudge = await Ok<NudgeAnswer>(await _client.PostAsync($"/api/explain/nudge?model=lenet5&target={target}", ApiAssert.JsonBody(new { pixels = Pixels(index) })));
        Assert.True(nudge.Reached);
        Assert.Equal(target, nudge.Digit);
        Assert.Equal(target, nudge.Target);
        Assert.Equal(label, nudge.From);
        Assert.Equal(Pixels(index), nudge.Original);
        Assert.InRange(nudge.MaxChange, 0.1f, NudgeSettings.Default.Budget + 0.01f);
        var reread = await ApiAssert.Prediction(await _client.PostAsync("/api/predict?model=lenet5", ApiAssert.JsonBody(new { pixels = nudge.Pixels })));
        Assert.Equal(target, reread.Digit);
    }

    [Theory]
    [InlineData("lenet5")]
    [InlineData("lenet5-softmax")]
    public async Task EachDreamSentBackIsReadAsItsOwnDigit(string model)
    {
        var dreams = await Ok<DreamAnswer[]>(await _client.GetAsync($"/api/models/{model}/dreams"));
        Assert.Equal(Enumerable.Range(0, 10), dreams.Select(d => d.Digit));
        foreach (var dream in dreams)
        {
            Assert.Equal(784, dream.Pixels.Length);
            Assert.All(dream.Pixels, v => Assert.InRange(v, 0f, 255f));
            var answer = await ApiAssert.Prediction(await _client.PostAsync($"/api/predict?model={model}", ApiAssert.JsonBody(new { pixels = dream.Pixels })));
            Assert.Equal(dream.Digit, answer.Digit);
        }
        // computed once per model: the second answer is the same
        var again = await Ok<DreamAnswer[]>(await _client.GetAsync($"/api/models/{model}/dreams"));
        Assert.Equal(dreams[3].Pixels, again[3].Pixels);
    }

    [Fact]
    public async Task DreamsOfAnUnknownModelAre404() =>
        await ApiAssert.Problem(await _client.GetAsync("/api/models/nope/dreams"), HttpStatusCode.NotFound);

    [Fact]
    public async Task TheParametersGiveTheKernelsTheTableAndTheWeightedSumsTheServerComputed()
    {
        var parameters = await Ok<ParametersAnswer>(await _client.GetAsync("/api/models/lenet5/parameters"));
        var c1 = parameters.Layers.Single(l => l.Name == "c1");
        var c3 = parameters.Layers.Single(l => l.Name == "c3");
        Assert.Equal([6, 1, 5, 5], c1.Tensors[0].Shape);
        Assert.Equal([60, 5, 5], c3.Tensors[0].Shape);
        Assert.Equal([16], c3.Tensors[1].Shape);
        Assert.Equal(Architecture.C3Table, c3.Table);
        Assert.Null(c1.Table);

        // C1 map 2's unit (row 9, column 13): bias + kernel . input patch is the 'c1' activation the details give
        var details = await ApiAssert.Prediction(await _client.PostAsync("/api/predict?model=lenet5&details=true", ApiAssert.JsonBody(new { pixels = Pixels(0) })));
        var input = details.Layers!.Single(l => l.Name == "input").Activations;
        var sum = details.Layers!.Single(l => l.Name == "c1").Activations;
        const int map = 2, row = 9, column = 13;
        double z = c1.Tensors[1].Values[map];
        for (int r = 0; r < 5; r++)
            for (int c = 0; c < 5; c++)
                z += c1.Tensors[0].Values[map * 25 + r * 5 + c] * input[(row + r) * 32 + column + c];
        Assert.Equal(sum[map * 28 * 28 + row * 28 + column], z, 3);

        var only = await Ok<ParametersAnswer>(await _client.GetAsync("/api/models/lenet5/parameters?layers=c1,c3"));
        Assert.Equal(["c1", "c3"], only.Layers.Select(l => l.Name));
        var problem = await ApiAssert.Problem(await _client.GetAsync("/api/models/lenet5/parameters?layers=c1,zz"), HttpStatusCode.BadRequest);
        Assert.Contains("'zz'", problem.GetProperty("title").GetString());
        await ApiAssert.Problem(await _client.GetAsync("/api/models/nope/parameters"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesTheExplainEndpoints()
    {
        var document = System.Text.Json.JsonDocument.Parse(await _client.GetStringAsync("/openapi/v1.json")).RootElement;
        var paths = document.GetProperty("paths");
        foreach (var (path, verb, id) in new[]
                 {
                     ("/api/explain", "post", "Explain"), ("/api/explain/nudge", "post", "Nudge"),
                     ("/api/models/{id}/dreams", "get", "Dreams"), ("/api/models/{id}/parameters", "get", "GetModelParameters"),
                 })
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"{path} is not documented");
            var operation = item.GetProperty(verb);
            Assert.Equal(id, operation.GetProperty("operationId").GetString());
            Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("summary").GetString()));
            Assert.True(operation.GetProperty("responses").TryGetProperty("200", out _));
        }
        var explain = paths.GetProperty("/api/explain").GetProperty("post");
        foreach (var type in new[] { "application/json", "multipart/form-data", "image/png" })
            Assert.True(explain.GetProperty("requestBody").GetProperty("content").TryGetProperty(type, out _), $"{type} is not documented");
        foreach (var status in new[] { "400", "404", "413", "415", "422", "429" })
            Assert.True(explain.GetProperty("responses").TryGetProperty(status, out _), $"{status} is not documented");
    }
}
