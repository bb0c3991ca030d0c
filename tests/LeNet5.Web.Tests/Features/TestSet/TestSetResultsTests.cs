using System.Net;
using System.Net.Http.Json;
using LeNet5.Core.Models;
using LeNet5.Core.Training;
using LeNet5.Web.Features.Models;
using LeNet5.Web.Features.TestSet;
using Microsoft.Extensions.DependencyInjection;

namespace LeNet5.Web.Tests.Features.TestSet;

/// <summary>
/// <c>GET /api/models/{id}/test-set</c>: a model's accuracy, confusion matrix and cells on the 10,000 MNIST
/// test digits, as the engine's own evaluation of the model file finds them; and <c>GET /api/mnist/test/pixels</c>,
/// many digits' pixels in one answer.
/// </summary>
public sealed class TestSetResultsTests(LeNet5WebFactory factory) : IClassFixture<LeNet5WebFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    public sealed record Results(string Model, int Count, int Errors, double Accuracy, DigitRow[] Digits, int[][] Confusion, int[][][] Cells)
    {
        public string[]? Committee { get; init; }
    }

    public sealed record DigitRow(int Digit, int Count, int Correct, double Accuracy);

    [Fact]
    public async Task AShippedModelsResultsAreTheEnginesEvaluationAndItsRecordedTestAccuracy()
    {
        var results = await GetResultsAsync("lenet5-paper");
        var test = TestMnist.Test;
        // the engine on the model file itself, not through the app
        var model = ModelFile.Load(Path.Combine(RepoPaths.ModelsDirectory, "lenet5-paper.safetensors"));
        var engine = Evaluator.Evaluate(model.Network, model.Parameters, test, threads: 2);

        Assert.Equal("lenet5-paper", results.Model);
        Assert.Null(results.Committee);
        Assert.Equal(10_000, results.Count);
        Assert.Equal(10_000, results.Confusion.Sum(row => row.Sum()));
        Assert.Equal(engine.Errors, results.Errors);
        Assert.Equal(engine.Accuracy, results.Accuracy, 12);
        Assert.Equal(model.TestAccuracy!.Value, results.Accuracy, 12); // recorded when it was trained
        for (int t = 0; t < 10; t++)
        for (int p = 0; p < 10; p++)
            Assert.Equal(engine.Confusion[t, p], results.Confusion[t][p]);
        Assert.Equal(results.Count - results.Errors, Enumerable.Range(0, 10).Sum(d => results.Confusion[d][d]));

        for (int d = 0; d < 10; d++)
        {
            var row = results.Digits[d];
            Assert.Equal(d, row.Digit);
            Assert.Equal(test.Labels.Count(l => l == d), row.Count);
            Assert.Equal(results.Confusion[d].Sum(), row.Count);
            Assert.Equal(results.Confusion[d][d], row.Correct);
            Assert.Equal((double)row.Correct / row.Count, row.Accuracy, 12);
        }
    }

    [Fact]
    public async Task TheCommitteesLeadShowsTheCommitteesResultsWhichItsDrawingsAnswerWith()
    {
        var results = await GetResultsAsync("lenet5");
        var test = TestMnist.Test;
        var members = ShippedModels.Committee.Select(name => ModelFile.Load(Path.Combine(RepoPaths.ModelsDirectory, name + ".safetensors"))).ToArray();
        var engine = Evaluator.Evaluate(members, test, threads: 2);
        Assert.Equal(ShippedModels.Committee, results.Committee);
        Assert.Equal(engine.Errors, results.Errors);
        Assert.True(results.Accuracy > members.Max(m => m.TestAccuracy!.Value), $"the committee reads {results.Accuracy}");
        // a digit the committee misreads is answered as its column by the prediction API too
        var (label, read) = Enumerable.Range(0, 100).Select(c => (T: c / 10, P: c % 10)).First(c => c.T != c.P && results.Cells[c.T][c.P].Length > 0);
        int index = results.Cells[label][read][0];
        var answer = await ApiAssert.Prediction(await _client.PostAsync("/api/predict?model=lenet5",
            ApiAssert.JsonBody(new { pixels = test.Image(index).ToArray().Select(b => (int)b).ToArray() })));
        Assert.Equal(read, answer.Digit);
    }

    [Fact]
    public async Task EachCellHoldsExactlyTheTestDigitsOfItsLabelThatTheModelReadAsItsColumn()
    {
        var results = await GetResultsAsync("lenet5-paper");
        var test = TestMnist.Test;
        var model = ModelFile.Load(Path.Combine(RepoPaths.ModelsDirectory, "lenet5-paper.safetensors"));
        var predictions = Evaluator.Evaluate(model.Network, model.Parameters, test, threads: 2).Predictions;

        var seen = new List<int>();
        for (int t = 0; t < 10; t++)
        for (int p = 0; p < 10; p++)
        {
            var cell = results.Cells[t][p];
            Assert.Equal(results.Confusion[t][p], cell.Length);
            Assert.Equal(cell.Order(), cell); // ascending
            Assert.Equal(Enumerable.Range(0, test.Count).Where(i => test.Labels[i] == t && predictions[i] == p), cell);
            seen.AddRange(cell);
        }
        Assert.Equal(Enumerable.Range(0, 10_000), seen.Order()); // every test digit in exactly one cell

        // and the prediction API, asked about a mistake's pixels, reads it as its column too
        var (label, read) = Enumerable.Range(0, 100).Select(c => (T: c / 10, P: c % 10)).First(c => c.T != c.P && results.Cells[c.T][c.P].Length > 0);
        int index = results.Cells[label][read][0];
        var answer = await ApiAssert.Prediction(await _client.PostAsync("/api/predict?model=lenet5-paper",
            ApiAssert.JsonBody(new { pixels = test.Image(index).ToArray().Select(b => (int)b).ToArray() })));
        Assert.Equal(read, answer.Digit);
        Assert.Equal(label, test.Labels[index]);
    }

    [Fact]
    public async Task TheAnswerIsKeptWithAnETagAndConcurrentRequestsShareOneComputation()
    {
        // requests that arrive together all wait for the one evaluation and get the same bytes
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => _client.GetAsync("/api/models/lenet5-softmax/test-set")));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var tag = responses[0].Headers.ETag;
        Assert.NotNull(tag);
        Assert.All(responses, r => Assert.Equal(tag, r.Headers.ETag));
        var bytes = await responses[0].Content.ReadAsByteArrayAsync();
        foreach (var r in responses) Assert.Equal(bytes, await r.Content.ReadAsByteArrayAsync());

        // kept: asked again, the model's answers hold it and nothing evaluates the model a second time
        var entry = factory.Services.GetRequiredService<ModelRegistry>().Get("lenet5-softmax")!;
        var kept = await factory.Services.GetRequiredService<ModelAnswers>().GetAsync(entry, TestSetEvaluations.AnswerName,
            () => throw new InvalidOperationException("evaluated twice"), CancellationToken.None);
        Assert.Equal(bytes, kept.Bytes);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/api/models/lenet5-softmax/test-set");
        conditional.Headers.IfNoneMatch.Add(tag);
        Assert.Equal(HttpStatusCode.NotModified, (await _client.SendAsync(conditional)).StatusCode);
        // another model, other results
        Assert.NotEqual(tag, (await _client.GetAsync("/api/models/lenet5/test-set")).Headers.ETag);
    }

    [Fact]
    public async Task AnUnknownModelIsA404Problem()
    {
        var problem = await ApiAssert.Problem(await _client.GetAsync("/api/models/no-such-model/test-set"), HttpStatusCode.NotFound);
        Assert.Contains("no-such-model", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task PixelsAreTheTestDigitsBytesInTheOrderAskedAndMayBeKept()
    {
        int[] indices = [9999, 0, 1234, 0, 42];
        var response = await _client.GetAsync($"/api/mnist/test/pixels?indices={string.Join(',', indices)}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.Public);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(indices.Length * 784, bytes.Length);
        for (int k = 0; k < indices.Length; k++)
            Assert.Equal(TestMnist.Test.Image(indices[k]).ToArray(), bytes.AsSpan(k * 784, 784).ToArray());

        var hundred = await _client.GetAsync($"/api/mnist/test/pixels?indices={string.Join(',', Enumerable.Range(100, 100))}");
        Assert.Equal(100 * 784, (await hundred.Content.ReadAsByteArrayAsync()).Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("?indices=")]
    [InlineData("?indices=1,,2")]
    [InlineData("?indices=10000")]
    [InlineData("?indices=-1")]
    [InlineData("?indices=1,%202")]
    [InlineData("?indices=abc")]
    public async Task IndicesThatAreNotTestDigitsAreA400Problem(string query)
    {
        var problem = await ApiAssert.Problem(await _client.GetAsync("/api/mnist/test/pixels" + query), HttpStatusCode.BadRequest);
        Assert.Contains("0 to 9999", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task MoreThanAHundredDigitsAtOnceIsA400Problem()
    {
        var problem = await ApiAssert.Problem(await _client.GetAsync($"/api/mnist/test/pixels?indices={string.Join(',', Enumerable.Range(0, 101))}"),
            HttpStatusCode.BadRequest);
        Assert.Contains("1 to 100 indices", problem.GetProperty("title").GetString());
    }

    private async Task<Results> GetResultsAsync(string model)
    {
        var response = await _client.GetAsync($"/api/models/{model}/test-set");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Results>(ApiAssert.Json))!;
    }
}
