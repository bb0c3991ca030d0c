using System.Net;
using System.Text.Json;
using LeNet5.Core.Training;
using LeNet5.Web.Features.Corrections;

namespace LeNet5.Web.Tests.Features.Training;

/// <summary>Runs that train on the accepted corrections, fine-tune a model, and report the corrections test error.</summary>
public sealed class CorrectionsTrainingTests : IDisposable
{
    private readonly AdminApp _app = new();
    private readonly LeNet5WebFactory _factory;
    private readonly HttpClient _admin;

    public CorrectionsTrainingTests()
    {
        _factory = _app.Factory();
        _admin = AdminApp.Admin(_factory);
    }

    public void Dispose()
    {
        _factory.Dispose();
        _app.Dispose();
    }

    /// <summary>Contributes and accepts MNIST test digits 0..count-1 as stand-ins for corrections; returns their ids.</summary>
    private async Task<List<long>> AcceptDrawingsAsync(int count)
    {
        var test = TestMnist.Load().Test;
        var ids = new List<long>();
        for (int i = 0; i < count; i++)
        {
            var response = await _admin.PostAsync("/api/corrections", ApiAssert.JsonBody(new { label = (int)test.Labels[i], pixels = test.Image(i).ToArray().Select(b => (int)b) }));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            long id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();
            Assert.Equal(HttpStatusCode.OK, (await _admin.PostAsync($"/api/corrections/{id}/accept", null)).StatusCode);
            ids.Add(id);
        }
        return ids;
    }

    [Fact]
    public async Task ARunTrainsOnTheAcceptedDrawingsAndReportsTheirTestErrorPerEpochAndInTheModel()
    {
        var ids = await AcceptDrawingsAsync(12);
        int testDrawings = ids.Count(CorrectionSplit.IsTest);
        Assert.InRange(testDrawings, 1, 11); // ids 1-12 hold both sides (5, 9 and 11 are test drawings)

        long run = await AdminApp.StartAsync(_admin, new { epochs = 2, trainLimit = 600, correctionsWeight = 5 });
        var done = await AdminApp.WaitForStatusAsync(_admin, run, "completed");
        var json = JsonDocument.Parse(await _admin.GetStringAsync($"/api/training/{run}")).RootElement;
        var inputs = json.GetProperty("extras");
        Assert.Equal(5, inputs.GetProperty("correctionsWeight").GetInt32());
        Assert.Equal((ids.Count - testDrawings, testDrawings), (inputs.GetProperty("realTrain").GetInt32(), inputs.GetProperty("realTest").GetInt32()));
        var history = json.GetProperty("history").EnumerateArray().ToList();
        Assert.Equal(2, history.Count);
        foreach (var epoch in history)
        {
            double error = epoch.GetProperty("extraTestError").GetDouble();
            Assert.InRange(error, 0, 1);
            Assert.Equal(0, error * testDrawings % 1, 6); // a share of the test drawings
        }

        var model = JsonDocument.Parse(await _admin.GetStringAsync($"/api/models/{done.ModelId}")).RootElement.GetProperty("metadata");
        Assert.Equal(testDrawings.ToString(System.Globalization.CultureInfo.InvariantCulture), model.GetProperty("extra_test_count").GetString());
        Assert.InRange(double.Parse(model.GetProperty("extra_test_accuracy").GetString()!, System.Globalization.CultureInfo.InvariantCulture), 0, 1);
        Assert.All(model.GetProperty("epochs").EnumerateArray(), e => Assert.Equal(JsonValueKind.Number, e.GetProperty("extraTestError").ValueKind));
        Assert.Contains("correctionsWeight", model.GetProperty("command").GetString());
    }

    [Fact]
    public async Task EveryRunReportsTheCorrectionsTestErrorEvenWithoutTrainingOnThem()
    {
        await AcceptDrawingsAsync(6); // id 5 is a test drawing
        long run = await AdminApp.StartAsync(_admin, new { epochs = 1, trainLimit = 300 });
        var done = await AdminApp.WaitForStatusAsync(_admin, run, "completed");
        var json = JsonDocument.Parse(await _admin.GetStringAsync($"/api/training/{run}")).RootElement;
        Assert.Equal((0, 1), (json.GetProperty("extras").GetProperty("realTrain").GetInt32(), json.GetProperty("extras").GetProperty("realTest").GetInt32()));
        Assert.Equal(JsonValueKind.Number, json.GetProperty("history")[0].GetProperty("extraTestError").ValueKind);
        Assert.NotNull(done.ModelId);
    }

    [Fact]
    public async Task ARunFineTunesAnExistingModel()
    {
        // no schedule: a fine-tune takes the small steps of TrainingRecipes.FineTuneSchedule, not the recipe's first rate
        long run = await AdminApp.StartAsync(_admin, new { epochs = 1, trainLimit = 64, baseModel = "lenet5" });
        var done = await AdminApp.WaitForStatusAsync(_admin, run, "completed");
        // one small step from the shipped model keeps it a good model; one step from scratch, or at the recipe's rate, would not
        Assert.True(done.TestAccuracy > 0.95, $"fine-tuned test accuracy {done.TestAccuracy}");
        var json = JsonDocument.Parse(await _admin.GetStringAsync($"/api/training/{run}")).RootElement;
        Assert.Equal("lenet5", json.GetProperty("extras").GetProperty("baseModel").GetString());
        Assert.Equal("lenet5", json.GetProperty("settings").GetProperty("architecture").GetString());
        Assert.Equal(TrainingRecipes.FineTuneSchedule, json.GetProperty("settings").GetProperty("schedule").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("history")[0].GetProperty("extraTestError").ValueKind); // no accepted drawings
    }

    [Theory]
    [InlineData("{\"correctionsWeight\": 0}", "correctionsWeight")]
    [InlineData("{\"correctionsWeight\": 1001}", "correctionsWeight")]
    [InlineData("{\"correctionsWeight\": \"many\"}", "correctionsWeight")]
    [InlineData("{\"baseModel\": \"nope\"}", "baseModel")]
    [InlineData("{\"baseModel\": \"lenet5\", \"architecture\": \"lenet5-nopool\"}", "baseModel")]
    [InlineData("{\"baseModel\": \"lenet5\", \"output\": \"softmax\"}", "baseModel")]
    public async Task BadInputsAreNamedAndNoRunIsQueued(string body, string field)
    {
        var response = await _admin.PostAsync("/api/training", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var problem = await ApiAssert.Problem(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal("[]", await _admin.GetStringAsync("/api/training"));
    }
}
