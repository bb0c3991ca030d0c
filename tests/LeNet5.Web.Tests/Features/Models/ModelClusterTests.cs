using System.Net;
using LeNet5.Core.Models;
using LeNet5.Web.Features.Models;
using LeNet5.Web.Infrastructure.Data;
using Microsoft.Extensions.DependencyInjection;
using ModelAnswer = LeNet5.Web.Tests.Features.Training.ModelAnswer;

namespace LeNet5.Web.Tests.Features.Models;

/// <summary>
/// Trained models in the database: two apps over one data folder stand for two replicas over one
/// database. A model stored, activated or deleted on one is listed, answers, or is gone on the other
/// within 2 s; the old trained-models folder is imported once; bad bytes store nothing.
/// </summary>
public sealed class ModelClusterTests : IDisposable
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(2);

    private readonly AdminApp _app = new();

    public void Dispose() => _app.Dispose();

    private static byte[] ShippedBytes(string name) => File.ReadAllBytes(Path.Combine(RepoPaths.ModelsDirectory, name + ".safetensors"));

    private static long RowCount(LeNet5WebFactory factory) =>
        Convert.ToInt64(factory.Services.GetRequiredService<Database>().Scalar("SELECT COUNT(*) FROM models;"));

    /// <summary>Polls until the condition holds, failing with <paramref name="what"/> when it still does not after <see cref="Within"/>.</summary>
    private static async Task WithinTwoSeconds(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Within;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what} did not happen within {Within.TotalSeconds} s");
            await Task.Delay(50);
        }
    }

    private static async Task<ModelAnswer[]> ListAsync(HttpClient client) => await ApiAssert.Json.Deserialize<ModelAnswer[]>(client, "/api/models");

    private static HttpContent Digit() => ApiAssert.JsonBody(new { pixels = TestMnist.Test.Image(0).ToArray().Select(b => (int)b) });

    [Fact]
    public async Task AModelStoredOnOneReplicaIsListedAndServedByAnotherAndReplacedWhenStoredAgain()
    {
        using var a = _app.Factory();
        using var b = _app.Factory();
        var clientB = b.CreateClient();
        _ = a.CreateClient();
        var bytes = ShippedBytes("lenet5");

        var saved = a.Services.GetRequiredService<ModelRegistry>().SaveTrained("run-1-lenet5", bytes);
        Assert.True(saved.InDatabase);
        Assert.Equal("database:models/run-1-lenet5", saved.Path);
        Assert.Equal(1, RowCount(a));
        Assert.True(b.Services.GetRequiredService<ModelRegistry>().IsStored("run-1-lenet5")); // the row, loaded or not yet

        await WithinTwoSeconds(async () => (await ListAsync(clientB)).Any(m => m.Id == "run-1-lenet5"), "B listing A's model");
        Assert.Equal(bytes, await clientB.GetByteArrayAsync("/api/models/run-1-lenet5/file"));
        var answer = await ApiAssert.Prediction(await clientB.PostAsync("/api/predict?model=run-1-lenet5", Digit()));
        Assert.Equal("run-1-lenet5", answer.Model);

        // a run that publishes again after a crash replaces its own model, here and on B
        var again = ShippedBytes("lenet5-softmax");
        a.Services.GetRequiredService<ModelRegistry>().SaveTrained("run-1-lenet5", again);
        Assert.Equal(1, RowCount(a));
        await WithinTwoSeconds(async () => (await clientB.GetByteArrayAsync("/api/models/run-1-lenet5/file")).SequenceEqual(again), "B serving the model stored again");
    }

    [Fact]
    public async Task AModelActivatedOnOneReplicaAnswersOnAnother()
    {
        using var a = _app.Factory();
        using var b = _app.Factory();
        var clientA = a.CreateClient();
        var adminB = AdminApp.Admin(b);
        Assert.Equal("lenet5", (await ApiAssert.Prediction(await clientA.PostAsync("/api/predict", Digit()))).Model);

        a.Services.GetRequiredService<ModelRegistry>().SaveTrained("run-2-lenet5", ShippedBytes("lenet5-softmax"));
        await WithinTwoSeconds(() => Task.FromResult(b.Services.GetRequiredService<ModelRegistry>().Get("run-2-lenet5") is not null), "B loading A's model");
        Assert.Equal(HttpStatusCode.OK, (await adminB.PostAsync("/api/models/run-2-lenet5/activate", null)).StatusCode);

        await WithinTwoSeconds(async () => (await ApiAssert.Prediction(await clientA.PostAsync("/api/predict", Digit()))).Model == "run-2-lenet5",
            "A answering with the model B activated");
        Assert.Equal("run-2-lenet5", a.Services.GetRequiredService<ModelRegistry>().Active?.Id);

        // a shipped model activated on A becomes B's too
        Assert.Equal(HttpStatusCode.OK, (await AdminApp.Admin(a).PostAsync("/api/models/lenet5-paper/activate", null)).StatusCode);
        await WithinTwoSeconds(() => Task.FromResult(b.Services.GetRequiredService<ModelRegistry>().Active?.Id == "lenet5-paper"), "B following A's activation");
    }

    [Fact]
    public async Task AModelDeletedOnOneReplicaIsGoneFromAnotherAndTheStoredActiveChoiceCannotBeDeleted()
    {
        using var a = _app.Factory();
        using var b = _app.Factory();
        var adminA = AdminApp.Admin(a);
        var adminB = AdminApp.Admin(b);
        var registryA = a.Services.GetRequiredService<ModelRegistry>();
        var registryB = b.Services.GetRequiredService<ModelRegistry>();
        registryA.SaveTrained("run-3-lenet5", ShippedBytes("lenet5"));
        registryA.SaveTrained("run-4-lenet5", ShippedBytes("lenet5"));
        await WithinTwoSeconds(() => Task.FromResult(registryB.Get("run-3-lenet5") is not null && registryB.Get("run-4-lenet5") is not null), "B loading A's models");

        Assert.Equal(HttpStatusCode.NoContent, (await adminA.DeleteAsync("/api/models/run-3-lenet5")).StatusCode);
        Assert.Null(registryA.Get("run-3-lenet5"));
        Assert.False(registryA.IsStored("run-3-lenet5"));
        await WithinTwoSeconds(async () => !(await ListAsync(adminB)).Any(m => m.Id == "run-3-lenet5"), "the deleted model leaving B");
        Assert.Equal(HttpStatusCode.NotFound, (await adminB.GetAsync("/api/models/run-3-lenet5")).StatusCode);

        // activated on B, the model cannot be deleted on A, whether or not A has switched yet
        Assert.Equal(HttpStatusCode.OK, (await adminB.PostAsync("/api/models/run-4-lenet5/activate", null)).StatusCode);
        await ApiAssert.Problem(await adminA.DeleteAsync("/api/models/run-4-lenet5"), HttpStatusCode.Conflict);
        Assert.Equal(1, RowCount(a));
    }

    [Fact]
    public async Task WhileTheDatabaseIsAwayTheLoadedModelsKeepAnsweringAndTheyCatchUpWhenItIsBack()
    {
        using var a = _app.Factory();
        var clientA = a.CreateClient();
        a.Services.GetRequiredService<ModelRegistry>().SaveTrained("run-9-lenet5", ShippedBytes("lenet5"));
        var databaseFile = a.Services.GetRequiredService<Database>().Path!;

        // a folder where the database file was: every connection fails until it is back
        File.Move(databaseFile, databaseFile + ".away");
        Directory.CreateDirectory(databaseFile);
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // at least one synchronisation meets the missing database
        Assert.Equal("run-9-lenet5", (await ApiAssert.Prediction(await clientA.PostAsync("/api/predict?model=run-9-lenet5", Digit()))).Model);
        Assert.Contains(await ListAsync(clientA), m => m.Id == "run-9-lenet5");

        Directory.Delete(databaseFile);
        File.Move(databaseFile + ".away", databaseFile);
        using var b = _app.Factory();
        b.Services.GetRequiredService<ModelRegistry>().SaveTrained("run-10-lenet5", ShippedBytes("lenet5"));
        await WithinTwoSeconds(async () => (await ListAsync(clientA)).Any(m => m.Id == "run-10-lenet5"), "A loading B's model once the database is back");
    }

    [Fact]
    public async Task AModelFileOfTheOldTrainedModelsFolderIsImportedOnceAndItsFileDeleted()
    {
        var legacy = Path.Combine(_app.DataDirectory, "models");
        Directory.CreateDirectory(legacy);
        var file = Path.Combine(legacy, "run-5-lenet5.safetensors");
        File.Copy(Path.Combine(RepoPaths.ModelsDirectory, "lenet5.safetensors"), file);
        var broken = Path.Combine(legacy, "run-6-lenet5.safetensors");
        File.WriteAllText(broken, "not a model");

        using (var first = _app.Factory())
        {
            var client = first.CreateClient();
            Assert.Contains(await ListAsync(client), m => m.Id == "run-5-lenet5");
            Assert.True(first.Services.GetRequiredService<ModelRegistry>().Get("run-5-lenet5")!.InDatabase);
            Assert.False(File.Exists(file));
            Assert.True(File.Exists(broken)); // not a model: kept where it is, for someone to look at
            Assert.Equal(1, RowCount(first));
        }
        using var second = _app.Factory();
        var again = second.CreateClient();
        Assert.Equal(ShippedBytes("lenet5"), await again.GetByteArrayAsync("/api/models/run-5-lenet5/file"));
        Assert.Single(await ListAsync(again), m => m.Id == "run-5-lenet5");
        Assert.Equal(1, RowCount(second));
    }

    [Fact]
    public async Task BadBytesOrABadIdStoreNothing()
    {
        using var factory = _app.Factory();
        var client = factory.CreateClient();
        var registry = factory.Services.GetRequiredService<ModelRegistry>();
        var before = registry.List();

        Assert.Throws<ModelFormatException>(() => registry.SaveTrained("run-8-lenet5", "not a model"u8.ToArray()));
        Assert.Throws<ModelFormatException>(() => registry.SaveTrained("../escape", ShippedBytes("lenet5")));
        // the id of a shipped model's file is not free: the file would hide the stored model
        Assert.Throws<InvalidOperationException>(() => registry.SaveTrained("lenet5", ShippedBytes("lenet5-softmax")));

        Assert.Equal(0, RowCount(factory));
        Assert.False(registry.IsStored("run-8-lenet5"));
        Assert.Equal(before, registry.List());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/models/run-8-lenet5")).StatusCode);
    }
}
