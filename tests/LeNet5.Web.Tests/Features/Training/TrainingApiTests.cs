using System.Net;
using LeNet5.Core.Training;
using System.Text.Json;
using System.Text.RegularExpressions;
using LeNet5.Web.Features.Models;
using LeNet5.Web.Features.Training;
using Microsoft.Extensions.DependencyInjection;

namespace LeNet5.Web.Tests.Features.Training;

/// <summary>The admin API: authentication, settings validation, and short real training runs.</summary>
public sealed partial class TrainingApiTests : IDisposable
{
    private readonly AdminApp _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task WithoutTheTokenTheApiAnswers401AndThePageRedirectsToLogin()
    {
        using var factory = _app.Factory();
        var anonymous = factory.CreateClient(new() { AllowAutoRedirect = false });
        var wrong = factory.CreateClient(new() { AllowAutoRedirect = false });
        wrong.DefaultRequestHeaders.Authorization = new("Bearer", "not-the-token");
        foreach (var client in new[] { anonymous, wrong })
        {
            await ApiAssert.Problem(await client.GetAsync("/api/training"), HttpStatusCode.Unauthorized);
            await ApiAssert.Problem(await client.PostAsync("/api/training", AdminApp.Json(new { epochs = 1 })), HttpStatusCode.Unauthorized);
            await ApiAssert.Problem(await client.GetAsync("/api/training/1/events"), HttpStatusCode.Unauthorized);
            await ApiAssert.Problem(await client.PostAsync("/api/models/lenet5/activate", null), HttpStatusCode.Unauthorized);
            await ApiAssert.Problem(await client.DeleteAsync("/api/models/lenet5"), HttpStatusCode.Unauthorized);
        }
        var page = await anonymous.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/login", page.Headers.Location!.OriginalString, StringComparison.Ordinal);

        // the drawing page and the prediction API stay public
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/models")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsync("/api/predict", ApiAssert.JsonBody(new { pixels = TestMnist.Test.Image(0).ToArray().Select(b => (int)b) }))).StatusCode);
    }

    [Fact]
    public async Task TheLoginPageSetsAStrictHttpOnlyCookieAndCookieWritesNeedTheAntiforgeryToken()
    {
        using var factory = _app.Factory();
        var browser = factory.CreateClient(new() { AllowAutoRedirect = false });
        var login = await browser.GetStringAsync("/login");
        var antiforgery = AdminApp.AntiforgeryToken(login);
        Assert.NotEmpty(antiforgery);

        var refused = await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Token"] = "wrong", ["__RequestVerificationToken"] = antiforgery,
        }));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        var signedIn = await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Token"] = AdminApp.Token, ["__RequestVerificationToken"] = antiforgery, ["ReturnUrl"] = "/admin",
        }));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/admin", signedIn.Headers.Location!.OriginalString);
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("lenet5.admin=", StringComparison.Ordinal)).ToLowerInvariant();
        Assert.Contains("httponly", cookie);
        Assert.Contains("samesite=strict", cookie);

        var admin = await browser.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        var page = await admin.Content.ReadAsStringAsync();
        Assert.Contains("Start training", page);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/training")).StatusCode);

        // a cookie alone does not allow changes: the page's antiforgery token must come along
        var problem = await ApiAssert.Problem(await browser.PostAsync("/api/training", AdminApp.Json(new { epochs = 1 })), HttpStatusCode.BadRequest);
        Assert.Contains("antiforgery", problem.GetProperty("title").GetString());
        var pageToken = AdminApp.AntiforgeryToken(page);
        Assert.NotEmpty(pageToken);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/training/999/cancel");
        request.Headers.Add("RequestVerificationToken", pageToken);
        await ApiAssert.Problem(await browser.SendAsync(request), HttpStatusCode.NotFound);
    }

    public static TheoryData<string, string> InvalidSettings => new()
    {
        { """{"epochs": 0}""", "epochs" },
        { """{"epochs": 5000}""", "epochs" },
        { """{"batchSize": 0}""", "batchSize" },
        { """{"batchSize": 1025}""", "batchSize" },
        { """{"batchSize": 60000}""", "batchSize" },
        { """{"momentum": 1.5}""", "momentum" },
        { """{"learningRateScale": -1}""", "learningRateScale" },
        { """{"sdlmSamples": 0}""", "sdlmSamples" },
        { """{"trainLimit": 0}""", "trainLimit" },
        { """{"trainLimit": 70000}""", "trainLimit" },
        { """{"architecture": "lenet6"}""", "architecture" },
        { """{"output": "sigmoid"}""", "output" },
        { """{"pooling": "median"}""", "pooling" },
        { """{"criterion": "hinge"}""", "criterion" },
        { """{"epochs": "twenty"}""", "epochs" },
        { """{"sdlm": "yes"}""", "sdlm" },
        { """{"elastic": "yes"}""", "elastic" },
        { """{"strokeWidth": 2}""", "strokeWidth" },
        { """{"colour": "blue"}""", "colour" },
        // a quote in a name, a stored field that is not a request's
        { """{"it's": 1}""", "it's" },
        { """{"drawings": [1, 2]}""", "drawings" },
        { """[1, 2]""", "body" },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public async Task AnInvalidSettingIs400NamingTheField(string body, string field)
    {
        using var factory = _app.Factory();
        var client = AdminApp.Admin(factory);
        var response = await client.PostAsync("/api/training", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var problem = await ApiAssert.Problem(response, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"errors should name '{field}': {errors}");
        // nothing was queued
        Assert.Empty(await ApiAssert.Json.Deserialize<JsonElement[]>(client, "/api/training"));
    }

    [Fact]
    public async Task AShortRunCompletesAndItsModelCanBeListedUsedActivatedAndDeleted()
    {
        using var factory = _app.Factory();
        var client = AdminApp.Admin(factory);
        long id = await AdminApp.StartAsync(client, new { trainLimit = 1000, epochs = 2, batchSize = 64 });

        // one run at a time
        var busy = await ApiAssert.Problem(await client.PostAsync("/api/training", AdminApp.Json(new { })), HttpStatusCode.Conflict);
        Assert.Contains($"Run {id}", busy.GetProperty("title").GetString());

        var run = await AdminApp.WaitForStatusAsync(client, id, "completed");
        Assert.Equal(1.0, run.Progress);
        Assert.Equal([1, 2], run.History.Select(e => e.Epoch));
        Assert.All(run.History, e => Assert.InRange(e.TestError, 0, 1));
        Assert.Contains("c1", run.LearningRates!.Keys);
        Assert.NotEmpty(run.LossCurve!);
        string modelId = $"run-{id}-lenet5";
        Assert.Equal(modelId, run.ModelId);
        // trained models live in the database, where every replica finds them, not in the (shipped) models folder a rebuild replaces
        Assert.True(factory.Services.GetRequiredService<ModelRegistry>().Get(modelId)!.InDatabase);
        Assert.False(File.Exists(Path.Combine(_app.ModelsDirectory, modelId + ".safetensors")));

        var listed = await ApiAssert.Json.Deserialize<JsonElement[]>(client, "/api/training");
        Assert.Equal(id, listed[0].GetProperty("id").GetInt64());

        var models = await ApiAssert.Json.Deserialize<ModelAnswer[]>(client, "/api/models");
        var model = Assert.Single(models, m => m.Id == modelId);
        Assert.False(model.Active);
        Assert.Equal(run.TestAccuracy!.Value, model.TestAccuracy!.Value, 3);

        var digit = TestMnist.Test.Image(0).ToArray().Select(b => (int)b);
        var answer = await ApiAssert.Prediction(await client.PostAsync($"/api/predict?model={modelId}", ApiAssert.JsonBody(new { pixels = digit })));
        Assert.Equal(modelId, answer.Model);

        var confusion = JsonDocument.Parse(await client.GetStringAsync($"/api/training/{id}/confusion")).RootElement.GetProperty("matrix");
        int total = confusion.EnumerateArray().Sum(row => row.EnumerateArray().Sum(c => c.GetInt32()));
        int right = Enumerable.Range(0, 10).Sum(i => confusion[i][i].GetInt32());
        Assert.Equal(10_000, total);
        Assert.Equal(run.TestAccuracy!.Value, right / 10_000.0, 3);

        var mistakes = JsonDocument.Parse(await client.GetStringAsync($"/api/training/{id}/mistakes?limit=5")).RootElement;
        Assert.Equal(total - right, mistakes.GetProperty("total").GetInt32());
        var items = mistakes.GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(Math.Min(5, total - right), items.Length);
        foreach (var item in items)
        {
            int index = item.GetProperty("index").GetInt32();
            Assert.Equal(TestMnist.Test.Labels[index], item.GetProperty("label").GetInt32());
            Assert.NotEqual(item.GetProperty("label").GetInt32(), item.GetProperty("predicted").GetInt32());
            Assert.Equal(TestMnist.Test.Image(index).ToArray().Select(b => (int)b), item.GetProperty("pixels").EnumerateArray().Select(p => p.GetInt32()));
        }

        // activate: the default answer comes from the new model; the active one cannot be deleted
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/models/{modelId}/activate", null)).StatusCode);
        Assert.Equal(modelId, (await ApiAssert.Prediction(await client.PostAsync("/api/predict", ApiAssert.JsonBody(new { pixels = digit })))).Model);
        await ApiAssert.Problem(await client.DeleteAsync($"/api/models/{modelId}"), HttpStatusCode.Conflict);
        await ApiAssert.Problem(await client.PostAsync("/api/models/no-such-model/activate", null), HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/models/lenet5/activate", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/models/{modelId}")).StatusCode);
        Assert.False(File.Exists(Path.Combine(_app.DataDirectory, "models", modelId + ".safetensors")));
        Assert.DoesNotContain(await ApiAssert.Json.Deserialize<ModelAnswer[]>(client, "/api/models"), m => m.Id == modelId);
    }

    [Fact]
    public async Task ARunWithElasticDistortionsAndOtherPensRecordsThem()
    {
        using var factory = _app.Factory();
        var client = AdminApp.Admin(factory);
        long id = await AdminApp.StartAsync(client, new { trainLimit = 500, epochs = 1, augment = true, elastic = true, strokeWidth = true });
        await AdminApp.WaitForStatusAsync(client, id, "completed");
        var run = await ApiAssert.Json.Deserialize<JsonElement>(client, $"/api/training/{id}");
        var settings = run.GetProperty("settings").Deserialize<TrainingSettings>(ApiAssert.Json)!;
        Assert.Equal((true, true, true), (settings.Augment, settings.Elastic, settings.StrokeWidth));
    }

    [Fact]
    public async Task ARunningRunCanBeCanceledAndResumed()
    {
        using var factory = _app.Factory();
        var client = AdminApp.Admin(factory);
        long id = await AdminApp.StartAsync(client, new { trainLimit = 1000, epochs = 200 });
        await AdminApp.WaitForStatusAsync(client, id, "running");
        var cancel = await client.PostAsync($"/api/training/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var canceled = await AdminApp.WaitForStatusAsync(client, id, "canceled");
        Assert.True(canceled.CompletedEpochs < 200);
        await ApiAssert.Problem(await client.PostAsync($"/api/training/{id}/cancel", null), HttpStatusCode.Conflict);

        // a new run may start now; resuming the canceled one while it runs is refused
        long second = await AdminApp.StartAsync(client, new { trainLimit = 500, epochs = 1 });
        await ApiAssert.Problem(await client.PostAsync($"/api/training/{id}/resume", null), HttpStatusCode.Conflict);
        await AdminApp.WaitForStatusAsync(client, second, "completed");
        await ApiAssert.Problem(await client.PostAsync($"/api/training/{second}/resume", null), HttpStatusCode.Conflict);
        await ApiAssert.Problem(await client.PostAsync("/api/training/12345/resume", null), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ARestartInTheMiddleHandsTheRunBackAndTheNextStartContinuesItFromItsCheckpoint()
    {
        long id;
        int trained;
        using (var first = _app.Factory())
        {
            var client = AdminApp.Admin(first);
            id = await AdminApp.StartAsync(client, new { trainLimit = 1000, epochs = 200 });
            var going = await AdminApp.WaitForAsync(client, id, r => r.CompletedEpochs >= 1, "one epoch in");
            Assert.False(string.IsNullOrEmpty((await ApiAssert.Json.Deserialize<JsonElement>(client, $"/api/training/{id}")).GetProperty("trainer").GetString()));
            trained = going.CompletedEpochs;
        } // a graceful stop: the run goes back to the queue, its checkpoint in the database

        using var second = _app.Factory();
        var again = AdminApp.Admin(second);
        // the new process takes the run up by itself and trains on from the checkpoint: no epoch is lost or trained twice
        var continued = await AdminApp.WaitForAsync(again, id, r => r.Status == "running" && r.CompletedEpochs > trained, "an epoch after the restart");
        Assert.Equal(HttpStatusCode.Accepted, (await again.PostAsync($"/api/training/{id}/cancel", null)).StatusCode);
        var canceled = await AdminApp.WaitForStatusAsync(again, id, "canceled");
        Assert.Equal(Enumerable.Range(1, canceled.CompletedEpochs), canceled.History.Select(e => e.Epoch));
        Assert.True(canceled.CompletedEpochs >= continued.CompletedEpochs);

        // resume, finishing after one more epoch than the checkpoint holds
        var badEpochs = await ApiAssert.Problem(await again.PostAsync($"/api/training/{id}/resume", AdminApp.Json(new { epochs = canceled.CompletedEpochs - 1 })), HttpStatusCode.BadRequest);
        Assert.True(badEpochs.GetProperty("errors").TryGetProperty("epochs", out _));
        var resumed = await again.PostAsync($"/api/training/{id}/resume", AdminApp.Json(new { epochs = canceled.CompletedEpochs + 1 }));
        Assert.Equal(HttpStatusCode.Accepted, resumed.StatusCode);
        var done = await AdminApp.WaitForStatusAsync(again, id, "completed");
        Assert.Equal(Enumerable.Range(1, canceled.CompletedEpochs + 1), done.History.Select(e => e.Epoch));
        Assert.Equal($"run-{id}-lenet5", done.ModelId);
        Assert.False(second.Services.GetRequiredService<RunStore>().HasCheckpoint(id)); // a completed run's checkpoint is dropped
        Assert.False(File.Exists(Path.Combine(_app.DataDirectory, "checkpoints", $"run-{id}.checkpoint.safetensors")));
    }

    [Fact]
    public async Task TheEventStreamDeliversProgressAndEpochEventsThenDoneAndCloses()
    {
        using var factory = _app.Factory();
        var client = AdminApp.Admin(factory);
        long id = await AdminApp.StartAsync(client, new { trainLimit = 2000, epochs = 2 });
        using var response = await client.GetAsync($"/api/training/{id}/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var events = new List<(string Type, JsonElement Data)>();
        string? type = null;
        while (await reader.ReadLineAsync() is { } line) // ends when the server closes the stream after 'done'
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line["event: ".Length..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) events.Add((type ?? "message", JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone()));
        }
        Assert.Equal("state", events[0].Type);
        Assert.Equal("done", events[^1].Type);
        Assert.Equal("completed", events[^1].Data.GetProperty("status").GetString());
        var progress = events.Where(e => e.Type == "progress").Select(e => e.Data).ToList();
        Assert.NotEmpty(progress);
        Assert.All(progress, p => Assert.InRange(p.GetProperty("progress").GetDouble(), 0, 1));
        Assert.Contains(progress, p => p.GetProperty("batch").GetInt32() == p.GetProperty("batches").GetInt32());
        var epochs = events.Where(e => e.Type == "epoch").Select(e => e.Data.GetProperty("metrics").GetProperty("epoch").GetInt32());
        Assert.Equal([1, 2], epochs);

        // a finished run's stream is its final state, then the end
        var after = await client.GetStringAsync($"/api/training/{id}/events");
        Assert.StartsWith("event: done", after, StringComparison.Ordinal);
        await ApiAssert.Problem(await client.GetAsync("/api/training/424242/events"), HttpStatusCode.NotFound);
    }

}

public sealed record ModelAnswer(string Id, string Architecture, double? TestAccuracy, long SizeBytes, bool Active);
