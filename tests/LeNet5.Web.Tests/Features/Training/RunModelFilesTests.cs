using System.Net;
using System.Text.Json;

namespace LeNet5.Web.Tests.Features.Training;

/// <summary>A run's model and checkpoint files across restarts: a new run's model id never collides with a file left behind, a killed write's temp files are swept, and a resumed run publishes its model once.</summary>
public sealed class RunModelFilesTests : IDisposable
{
    private readonly AdminApp _app = new();

    public void Dispose() => _app.Dispose();

    private LeNet5WebFactory Factory(params (string Key, string Value)[] extra) => _app.Factory(extra);

    private string TrainedModels => Path.Combine(_app.DataDirectory, "models");

    [Fact]
    public async Task ANewRunNeverOverwritesAModelFileLeftInTheTrainedModelsFolder()
    {
        // the database was reset, but a model of run 1 remains: it is loaded at start-up, and the new run 1 must not replace it
        Directory.CreateDirectory(TrainedModels);
        string stale = Path.Combine(TrainedModels, "run-1-lenet5.safetensors");
        File.Copy(Path.Combine(RepoPaths.ModelsDirectory, "lenet5.safetensors"), stale);
        var before = await File.ReadAllBytesAsync(stale);

        using var factory = Factory();
        var client = AdminApp.Admin(factory);
        Assert.Contains(await ApiAssert.Json.Deserialize<ModelAnswer[]>(client, "/api/models"), m => m.Id == "run-1-lenet5");
        long id = await AdminApp.StartAsync(client, new { trainLimit = 500, epochs = 1 });
        Assert.Equal(1, id);
        var run = await AdminApp.WaitForStatusAsync(client, id, "completed");
        Assert.Matches("^run-1-lenet5-[0-9a-f]{6}$", run.ModelId);
        Assert.Equal(before, await File.ReadAllBytesAsync(stale));
        Assert.True(File.Exists(Path.Combine(TrainedModels, run.ModelId + ".safetensors")));
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
    public async Task ARunInterruptedAfterItsLastCheckpointResumesByPublishingItsModel()
    {
        long id;
        using (var first = Factory())
        {
            var client = AdminApp.Admin(first);
            id = await AdminApp.StartAsync(client, new { trainLimit = 500, epochs = 200 });
            await AdminApp.WaitForAsync(client, id, r => r.CompletedEpochs >= 1, "one epoch in");
        }

        using var second = Factory();
        var again = AdminApp.Admin(second);
        int trained = (await AdminApp.GetRunAsync(again, id)).CompletedEpochs;
        // as if the run had been asked for exactly the epochs its checkpoint holds: nothing left to train
        var resumed = await again.PostAsync($"/api/training/{id}/resume", AdminApp.Json(new { epochs = trained }));
        Assert.Equal(HttpStatusCode.Accepted, resumed.StatusCode);
        var done = await AdminApp.WaitForStatusAsync(again, id, "completed");
        Assert.Equal(Enumerable.Range(1, trained), done.History.Select(e => e.Epoch));
        Assert.Equal($"run-{id}-lenet5", done.ModelId);
        Assert.NotNull(done.TestAccuracy);
    }

    [Fact]
    public async Task AKillBetweenSavingTheModelAndRecordingItDoesNotPublishASecondCopy()
    {
        long id;
        string created;
        using (var first = Factory())
        {
            var client = AdminApp.Admin(first);
            id = await AdminApp.StartAsync(client, new { trainLimit = 500, epochs = 200 });
            await AdminApp.WaitForAsync(client, id, r => r.CompletedEpochs >= 1, "one epoch in");
            created = (await ApiAssert.Json.Deserialize<JsonElement>(client, $"/api/training/{id}")).GetProperty("createdAt").GetString()!;
        }
        // as if the model had been saved, and the process killed before the run's end was recorded
        var checkpoint = Core.Models.ModelFile.Read(await File.ReadAllBytesAsync(Path.Combine(_app.DataDirectory, "checkpoints", $"run-{id}.checkpoint.safetensors")), "checkpoint", out _);
        checkpoint.Metadata["web_run"] = $"{id} {DateTimeOffset.Parse(created, System.Globalization.CultureInfo.InvariantCulture).ToUniversalTime():O}";
        Core.Models.ModelFile.Save(checkpoint, Path.Combine(TrainedModels, $"run-{id}-lenet5.safetensors"));

        using var second = Factory();
        var again = AdminApp.Admin(second);
        int trained = (await AdminApp.GetRunAsync(again, id)).CompletedEpochs;
        Assert.Equal(HttpStatusCode.Accepted, (await again.PostAsync($"/api/training/{id}/resume", AdminApp.Json(new { epochs = trained }))).StatusCode);
        var done = await AdminApp.WaitForStatusAsync(again, id, "completed");
        Assert.Equal($"run-{id}-lenet5", done.ModelId);
        Assert.Single(Directory.GetFiles(TrainedModels, $"run-{id}-lenet5*.safetensors"));
    }
}
