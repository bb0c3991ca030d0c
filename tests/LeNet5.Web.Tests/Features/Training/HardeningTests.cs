using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using LeNet5.Web.Features.Models;
using Microsoft.Extensions.DependencyInjection;

namespace LeNet5.Web.Tests.Features.Training;

/// <summary>Model ids, the trained-models folder, the stored active model, deletion failures, rate limits and the cookie option.</summary>
public sealed partial class HardeningTests : IDisposable
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

    [Fact]
    public async Task AStoredActiveModelWhoseFileIsGoneFallsBackToModelsDefault()
    {
        File.Copy(Path.Combine(RepoPaths.ModelsDirectory, "lenet5.safetensors"), Path.Combine(_app.ModelsDirectory, "alpha.safetensors"));
        using (var first = Factory())
        {
            var client = AdminApp.Admin(first);
            var activated = await client.PostAsync("/api/models/alpha/activate", null);
            Assert.Equal(HttpStatusCode.OK, activated.StatusCode);
            Assert.Equal("alpha", JsonDocument.Parse(await activated.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString());
        }
        using (var second = Factory())
        {
            // the stored choice wins over Models:Default while its model exists
            Assert.Equal("alpha", second.Services.GetRequiredService<ModelRegistry>().Active?.Id);
            _ = second.CreateClient();
        }
        File.Delete(Path.Combine(_app.ModelsDirectory, "alpha.safetensors"));
        using var third = Factory();
        _ = third.CreateClient(); // starts the host, which restores the stored active model
        Assert.Equal("lenet5", third.Services.GetRequiredService<ModelRegistry>().Active?.Id);
    }

    [Fact]
    public async Task AModelWhoseFileCannotBeDeletedStaysLoadedAndTheAnswerSaysWhy()
    {
        File.Copy(Path.Combine(RepoPaths.ModelsDirectory, "lenet5.safetensors"), Path.Combine(_app.ModelsDirectory, "alpha.safetensors"));
        using var factory = Factory();
        var client = AdminApp.Admin(factory);
        Assert.Contains(await ApiAssert.Json.Deserialize<ModelAnswer[]>(client, "/api/models"), m => m.Id == "alpha");
        // a non-empty directory where the file was: File.Delete fails, whoever the tests run as
        string path = Path.Combine(_app.ModelsDirectory, "alpha.safetensors");
        File.Delete(path);
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "keep"), "x");

        var problem = await ApiAssert.Problem(await client.DeleteAsync("/api/models/alpha"), HttpStatusCode.InternalServerError);
        Assert.Contains("could not be deleted", problem.GetProperty("title").GetString());
        Assert.Contains(await ApiAssert.Json.Deserialize<ModelAnswer[]>(client, "/api/models"), m => m.Id == "alpha");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/models/alpha")).StatusCode);
    }

    [Fact]
    public async Task TheAdminApiAndUnmatchedApiPathsAreRateLimitedButHealthAndPagesAreNot()
    {
        using var factory = Factory(("RateLimit:PermitLimit", "2"), ("RateLimit:AdminPermitLimit", "2"), ("RateLimit:WindowSeconds", "3600"));
        var admin = AdminApp.Admin(factory);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/training")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/training")).StatusCode);
        var problem = await ApiAssert.Problem(await admin.GetAsync("/api/training"), HttpStatusCode.TooManyRequests);
        Assert.Contains("AdminPermitLimit", problem.GetProperty("detail").GetString());
        await ApiAssert.Problem(await admin.PostAsync("/api/models/lenet5/activate", null), HttpStatusCode.TooManyRequests);

        var anonymous = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/models")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/api/no-such-endpoint")).StatusCode);
        await ApiAssert.Problem(await anonymous.GetAsync("/api/no-such-endpoint"), HttpStatusCode.TooManyRequests);
        await ApiAssert.Problem(await anonymous.GetAsync("/api/models"), HttpStatusCode.TooManyRequests);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/login")).StatusCode);
    }

    [Fact]
    public async Task SignInAttemptsAreLimitedPerClient()
    {
        using var factory = Factory(("RateLimit:LoginPermitLimit", "3"), ("RateLimit:LoginWindowSeconds", "3600"));
        var browser = factory.CreateClient(new() { AllowAutoRedirect = false });
        var antiforgery = AntiforgeryField().Match(await browser.GetStringAsync("/login")).Groups[1].Value;
        HttpContent Attempt(string token) => new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Token"] = token, ["__RequestVerificationToken"] = antiforgery,
        });
        for (int i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await browser.PostAsync("/login", Attempt("guess-" + i))).StatusCode);
        var refused = await browser.PostAsync("/login", Attempt(AdminApp.Token));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is missing");
        // the page itself still loads
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/login")).StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AdminRequireHttpsCookieMakesTheSignInCookieSecure(bool require)
    {
        using var factory = Factory(("Admin:RequireHttpsCookie", require ? "true" : "false"));
        var browser = factory.CreateClient(new() { AllowAutoRedirect = false });
        var antiforgery = AntiforgeryField().Match(await browser.GetStringAsync("/login")).Groups[1].Value;
        var signedIn = await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Token"] = AdminApp.Token, ["__RequestVerificationToken"] = antiforgery,
        }));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("lenet5.admin=", StringComparison.Ordinal)).ToLowerInvariant();
        Assert.Equal(require, cookie.Contains("; secure", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ABatchOverThePixelBudgetIs413BeforeAnythingIsDecoded()
    {
        using var factory = Factory(("Limits:MaxBatchPixels", "50000"));
        var client = factory.CreateClient();
        var png = Convert.ToBase64String(TestImages.MnistPng(TestMnist.Test.Image(0), side: 150)); // 22,500 pixels
        var two = new { images = new[] { "data:image/png;base64," + png, "data:image/png;base64," + png } };
        Assert.Equal(2, (await ApiAssert.Predictions(await client.PostAsync("/api/predict/batch", ApiAssert.JsonBody(two)))).Length);
        var three = new { images = new[] { "data:image/png;base64," + png, "data:image/png;base64," + png, "data:image/png;base64," + png } };
        var problem = await ApiAssert.Problem(await client.PostAsync("/api/predict/batch", ApiAssert.JsonBody(three)), HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("MaxBatchPixels", problem.GetProperty("title").GetString());
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
