using System.Net;
using LeNet5.Core.Models;
using LeNet5.Web.Features.Models;
using Microsoft.Extensions.DependencyInjection;

namespace LeNet5.Web.Tests.Features.Models;

/// <summary>The registry with several models, with none, its reload and activation, and a first trained model.</summary>
public sealed class ModelRegistryTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lenet5web-models-").FullName;

    private LeNet5WebFactory Factory(string? defaultId = null) => LeNet5WebFactory.With(new Dictionary<string, string?>
    {
        ["Models:Directory"] = _directory,
        ["Models:Default"] = defaultId ?? "lenet5",
    });

    private void CopyShippedModelAs(string id) =>
        File.Copy(Path.Combine(RepoPaths.ModelsDirectory, "lenet5.safetensors"), Path.Combine(_directory, id + ".safetensors"), overwrite: true);

    [Fact]
    public async Task EveryModelInTheFolderIsLoadedAndCanBeNamed()
    {
        CopyShippedModelAs("lenet5");
        CopyShippedModelAs("alpha");
        File.WriteAllText(Path.Combine(_directory, "broken.safetensors"), "not a model");
        using var factory = Factory();
        var client = factory.CreateClient();
        var ids = (await ApiAssert.Json.Deserialize<ModelRow[]>(client, "/api/models")).Select(m => (m.Id, m.Active));
        Assert.Equal([("alpha", false), ("lenet5", true)], ids);
        var answer = await ApiAssert.Prediction(await client.PostAsync("/api/predict?model=alpha", ApiAssert.JsonBody(new { pixels = TestMnist.Test.Image(0).ToArray().Select(b => (int)b) })));
        Assert.Equal("alpha", answer.Model);
        // the page offers a model picker when there are several
        var page = await client.GetStringAsync("/");
        Assert.Contains("<select id=\"model\"", page);
        Assert.Contains("value=\"alpha\"", page);
    }

    [Fact]
    public async Task WithoutModelsHealthIs503AndPredictSaysWhy()
    {
        using var factory = Factory();
        var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/healthz")).StatusCode);
        var problem = await ApiAssert.Problem(await client.PostAsync("/api/predict", ApiAssert.JsonBody(new { pixels = Enumerable.Repeat(255, 784) })), HttpStatusCode.ServiceUnavailable);
        Assert.Contains("No model", problem.GetProperty("title").GetString());
        Assert.Contains("No model is loaded", await client.GetStringAsync("/"));
    }

    [Fact]
    public void AMissingDefaultFallsBackToTheFirstModel()
    {
        CopyShippedModelAs("beta");
        using var factory = Factory("lenet5");
        Assert.Equal("beta", factory.Services.GetRequiredService<ModelRegistry>().Active?.Id);
    }

    [Fact]
    public void LoadingAddsOrReplacesAModelAndCanActivateIt()
    {
        CopyShippedModelAs("lenet5");
        using var factory = Factory();
        var registry = factory.Services.GetRequiredService<ModelRegistry>();
        var before = registry.Get("lenet5");
        CopyShippedModelAs("gamma");
        var gamma = registry.Load(Path.Combine(_directory, "gamma.safetensors"));
        Assert.Same(gamma, registry.Activate("gamma"));
        Assert.Same(gamma, registry.Active);
        Assert.Equal(["gamma", "lenet5"], registry.List().Select(m => m.Id));
        Assert.Same(before, registry.Get("lenet5"));
        Assert.Same(before, registry.Activate("lenet5"));
        Assert.Null(registry.Activate("nope"));
        Assert.Equal("lenet5", registry.Active?.Id);

        // a bad file leaves the registry as it was
        File.WriteAllText(Path.Combine(_directory, "lenet5.safetensors"), "truncated");
        Assert.Throws<ModelFormatException>(() => registry.Load(Path.Combine(_directory, "lenet5.safetensors")));
        Assert.Same(before, registry.Get("lenet5"));
        Assert.Equal("lenet5", registry.Active?.Id);
    }

    [Fact]
    public void AFirstTrainedModelBecomesActiveAndIsNamedByWhereItLives()
    {
        using var factory = Factory();
        var registry = factory.Services.GetRequiredService<ModelRegistry>();
        Assert.Null(registry.Active);
        Assert.False(registry.IsStored("run-1-lenet5"));

        var trained = registry.SaveTrained("run-1-lenet5", File.ReadAllBytes(Path.Combine(RepoPaths.ModelsDirectory, "lenet5.safetensors")));
        Assert.Same(trained, registry.Active);
        Assert.True(registry.IsStored("run-1-lenet5"));
        Assert.Equal("database:models/run-1-lenet5", trained.Path);

        // a model file's id is taken whether or not it loaded
        File.WriteAllText(Path.Combine(_directory, "broken.safetensors"), "not a model");
        Assert.True(registry.IsStored("broken"));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private sealed record ModelRow(string Id, bool Active);
}
