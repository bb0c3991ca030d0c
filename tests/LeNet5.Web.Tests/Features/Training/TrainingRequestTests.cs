using System.Net;
using System.Text.Json;
using LeNet5.Core.Training;
using LeNet5.Web.Features.Training;

namespace LeNet5.Web.Tests.Features.Training;

/// <summary>The body of <c>POST /api/training</c>: its fields are the settings table's names and the inputs', and the OpenAPI document describes each.</summary>
public sealed class TrainingRequestTests : IDisposable
{
    private readonly AdminApp _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task UnknownFieldsAreEachNamedAsTheySpellThemselves()
    {
        using var factory = _app.Factory();
        var client = AdminApp.Admin(factory);
        var body = """{"epochs": 2, "colour": "blue", "batch": 32}""";
        var problem = await ApiAssert.Problem(await client.PostAsync("/api/training", new StringContent(body, System.Text.Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.Equal(["batch", "colour"], errors.EnumerateObject().Select(e => e.Name).Order());
        Assert.Equal("'colour' is not a training setting", errors.GetProperty("colour")[0].GetString());
    }

    [Fact]
    public void ASettingInAnotherCaseIsThatSettingButAnInputMustBeSpelledExactly()
    {
        var (settings, _, errors) = TrainingRequest.Parse("""{"Epochs": 2, "BATCHSIZE": 32}"""u8);
        Assert.Empty(errors);
        Assert.Equal(2, settings!.Epochs);
        Assert.Equal(32, settings.BatchSize);
        Assert.Equal(["CorrectionsWeight"], TrainingRequest.Parse("""{"CorrectionsWeight": 2}"""u8).Errors.Keys);
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesEverySettingWithItsRange()
    {
        using var factory = _app.Factory();
        var document = await ApiAssert.Json.Deserialize<JsonElement>(factory.CreateClient(), "/openapi/v1.json");
        var fields = document.GetProperty("components").GetProperty("schemas").GetProperty("TrainingSettings").GetProperty("properties");
        Assert.Equal(TrainingSettingInfo.All.Select(s => s.Name).Order(), fields.EnumerateObject().Select(f => f.Name).Order());
        foreach (var setting in TrainingSettingInfo.All)
            Assert.Equal(TrainingOpenApi.Describe(setting), fields.GetProperty(setting.Name).GetProperty("description").GetString());
        Assert.Contains($"From 1 to {TrainingLimits.MaxBatchSize}.", fields.GetProperty("batchSize").GetProperty("description").GetString());
        Assert.Contains("One of lenet5, lenet5-nopool, lenet5-nopool-fc.", fields.GetProperty("architecture").GetProperty("description").GetString());
    }
}
