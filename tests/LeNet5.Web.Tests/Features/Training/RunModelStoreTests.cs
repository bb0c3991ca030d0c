using System.Net;
using System.Text.Json;
using LeNet5.Web.Features.Models;
using LeNet5.Web.Features.Training;
using Microsoft.Extensions.DependencyInjection;

namespace LeNet5.Web.Tests.Features.Training;

/// <summary>A run's model and checkpoint across stops and kills: a new run's model id never collides with a stored model, a killed write's temp files are swept, and a resumed run publishes its model once.</summary>
public sealed class RunModelStoreTests : IDisposable
{
    private readonly AdminApp _app = new();

    public void Dispose() => _app.Dispose();

    private LeNet5WebFactory Factory(params (string Key, string Value)[] extra) => _app.Factory(extra);

    private string TrainedModels => Path.Combine(_app.DataDirectory, "models");

    [Fact]
    public async Task ANewRunNeverReplacesAStoredModelOfTheSameId()
    {
        // the runs were reset, but a model of a run 1 remains in the store: the new run 1 must not replace it
        var before = await File.ReadAllBytesAsync(Path.Combine(RepoPaths.ModelsDirectory, "lenet5.safetensors"));
        using var factory = Factory();
        factory.Services.GetRequiredService<ModelRegistry>().SaveTrained("run-1-lenet5", before);
        var client = AdminApp.Admin(factory);
        long id = await AdminApp.StartAsync(client, new { trainLimit = 500, epochs = 1 });
        Assert.Equal(1, id);
        var run = await AdminApp.WaitForStatusAsync(client, id, "completed");
        Assert.Matches("^run-1-lenet5-[0-9a-f]{6}$", run.ModelId);
        Assert.Equal(before, factory.Services.GetRequiredService<ModelRegistry>().Get("run-1-lenet5")!.FileBytes.ToArray());
        var ids = (await ApiAssert.Json.Deserialize<ModelAnswer[]>(client, "/api/models")).Select(m => m.Id).ToList();
        Assert.Contains("run-1-lenet5", ids);
        Assert.Contains(run.ModelId!, ids);
    }

    [Fact]
    public void TemporaryFilesLeftByAKilledWriteAreSweptAtStartUp()
    {
        // what WriteAtomic leaves when its process dies between creating the temp file and renaming it
        using var gone = System.Diagnostics.Process.Start("true")!;
        gone.WaitForExit();
        string Leftover(string directory, string name)
        {
            Directory.CreateDirectory(directory);
            var path = Path.Combine(directory, $"{name}.{gone.Id}.{Guid.NewGuid():N}.tmp");
            File.WriteAllBytes(path, [1, 2, 3]);
            return path;
        }
        var model = Leftover(TrainedModels, "run-9-lenet5.safetensors");
        var checkpoint = Leftover(Path.Combine(_app.DataDirectory, "checkpoints"), "run-9.checkpoint.safetensors");
        var shipped = Leftover(_app.ModelsDirectory, "alpha.safetensors");
        var other = Path.Combine(TrainedModels, "notes.tmp");
        File.WriteAllText(other, "not ours");

        using var factory = Factory();
        _ = factory.CreateClient();
        Assert.False(File.Exists(model));
        Assert.False(File.Exists(checkpoint));
        Assert.False(File.Exists(shipped));
        Assert.True(File.Exists(other));
    }

    [Fact]
    public async Task ARunStoppedAfterItsLastCheckpointResumesByPublishingItsModel()
    {
        using var factory = Factory();
        var client = AdminApp.Admin(factory);
        var (id, _, trained) = await StopAfterAnEpochAsync(client);
        // as if the run had been asked for exactly the epochs its checkpoint holds: nothing left to train
        var resumed = await client.PostAsync($"/api/training/{id}/resume", AdminApp.Json(new { epochs = trained }));
        Assert.Equal(HttpStatusCode.Accepted, resumed.StatusCode);
        var done = await AdminApp.WaitForStatusAsync(client, id, "completed");
        Assert.Equal(Enumerable.Range(1, trained), done.History.Select(e => e.Epoch));
        Assert.Equal($"run-{id}-lenet5", done.ModelId);
        Assert.NotNull(done.TestAccuracy);
    }

    [Fact]
    public async Task AKillBetweenStoringTheModelAndRecordingItDoesNotPublishASecondCopy()
    {
        using var factory = Factory();
        var client = AdminApp.Admin(factory);
        var (id, created, trained) = await StopAfterAnEpochAsync(client);

        // as if the run's model had been stored, and its replica killed before the run's end was recorded
        var checkpoint = Core.Models.ModelFile.Read(factory.Services.GetRequiredService<RunStore>().GetCheckpoint(id)!, "checkpoint", out _);
        checkpoint.Metadata["web_run"] = $"{id} {DateTimeOffset.Parse(created, System.Globalization.CultureInfo.InvariantCulture).ToUniversalTime():O}";
        var scratch = Path.Combine(_app.DataDirectory, "stored-before-the-kill.safetensors");
        Core.Models.ModelFile.Save(checkpoint, scratch);
        factory.Services.GetRequiredService<ModelRegistry>().SaveTrained($"run-{id}-lenet5", await File.ReadAllBytesAsync(scratch));

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/training/{id}/resume", AdminApp.Json(new { epochs = trained }))).StatusCode);
        var done = await AdminApp.WaitForStatusAsync(client, id, "completed");
        Assert.Equal($"run-{id}-lenet5", done.ModelId);
        Assert.Single((await ApiAssert.Json.Deserialize<ModelAnswer[]>(client, "/api/models")), m => m.Id.StartsWith($"run-{id}-lenet5", StringComparison.Ordinal));
    }

    /// <summary>A long run canceled once it has checkpointed an epoch: its id, creation time (as the API gives it) and the epochs its checkpoint holds.</summary>
    private static async Task<(long Id, string CreatedAt, int Trained)> StopAfterAnEpochAsync(HttpClient client)
    {
        long id = await AdminApp.StartAsync(client, new { trainLimit = 500, epochs = 200 });
        await AdminApp.WaitForAsync(client, id, r => r.CompletedEpochs >= 1, "one epoch in");
        string created = (await ApiAssert.Json.Deserialize<JsonElement>(client, $"/api/training/{id}")).GetProperty("createdAt").GetString()!;
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/training/{id}/cancel", null)).StatusCode);
        return (id, created, (await AdminApp.WaitForStatusAsync(client, id, "canceled")).CompletedEpochs);
    }
}
