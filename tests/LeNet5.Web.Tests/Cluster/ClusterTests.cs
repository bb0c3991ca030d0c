using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Npgsql;

namespace LeNet5.Web.Tests.Cluster;

/// <summary>
/// Replicas as they are deployed: separate processes of the built app on one real PostgreSQL, behind
/// the nginx of <c>deploy/nginx.conf</c> where a test needs a balancer. What one replica does, the
/// others see: migrations, sign-ins, runs and their events, models, corrections; a replica killed or
/// restarted loses no run and no request.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTests(ClusterFixture cluster) : IDisposable
{
    /// <summary>A short lease, so a takeover after kill -9 comes in seconds.</summary>
    private const int LeaseSeconds = 3;

    private readonly List<ReplicaProcess> _replicas = [];

    public void Dispose()
    {
        foreach (var replica in _replicas) replica.Dispose();
    }

    private ReplicaProcess Replica(string name, string database, bool trains = true, params (string Key, string Value)[] extra)
    {
        var replica = new ReplicaProcess(name,
        [
            .. ReplicaProcess.OnPostgres(database),
            ("Admin__Token", AdminApp.Token),
            ("Training__MnistDirectory", TestMnist.Directory),
            ("Training__Threads", "1"),
            ("Training__ProgressIntervalMilliseconds", "50"),
            ("Training__LeaseSeconds", LeaseSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("Training__Enabled", trains ? "true" : "false"),
            .. extra,
        ]);
        _replicas.Add(replica);
        return replica;
    }

    private static HttpClient Admin(ReplicaProcess replica)
    {
        var client = new HttpClient { BaseAddress = replica.Address, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminApp.Token);
        return client;
    }

    private static async Task<T> Scalar<T>(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<JsonElement> RunAsync(HttpClient client, long id) =>
        JsonDocument.Parse(await client.GetStringAsync($"/api/training/{id}")).RootElement;

    /// <summary>Polls until the condition holds; the limit only keeps a broken build from hanging.</summary>
    private static async Task<JsonElement> WaitForRunAsync(HttpClient client, long id, Func<JsonElement, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            var run = await RunAsync(client, id);
            if (condition(run)) return run;
            Assert.True(DateTime.UtcNow < deadline, $"run {id} never became {what}; last seen {run}");
            Assert.NotEqual("failed", run.GetProperty("status").GetString());
            await Task.Delay(100);
        }
    }

    private static bool Is(JsonElement run, string status) => run.GetProperty("status").GetString() == status;

    private static string? TrainerOf(JsonElement run) => run.GetProperty("trainer").GetString();

    [Fact]
    public async Task TwoReplicasStartedAtOnceOnAnEmptyDatabaseMigrateItOnceAndShareOneKey()
    {
        var database = await cluster.Postgres.CreateDatabaseAsync();
        await ReplicaProcess.StartAllAsync(Replica("a", database), Replica("b", database));

        Assert.Equal(1, await Scalar<int>(database, "SELECT COUNT(*) FROM schema_version;"));
        Assert.Equal(1, await Scalar<int>(database, "SELECT COUNT(*) FROM data_protection_keys;"));
        foreach (var replica in _replicas)
        {
            using var client = new HttpClient { BaseAddress = replica.Address };
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        }
    }

    [Fact]
    public async Task ASignInThroughOneReplicaWorksOnTheOtherAndASignOutEndsItOnBoth()
    {
        var database = await cluster.Postgres.CreateDatabaseAsync();
        var (a, b) = (Replica("a", database, trains: false), Replica("b", database, trains: false));
        await ReplicaProcess.StartAllAsync(a, b);
        var jar = new CookieContainer();
        HttpClient Browser(ReplicaProcess replica) =>
            new(new HttpClientHandler { CookieContainer = jar, AllowAutoRedirect = false }) { BaseAddress = replica.Address };
        // one cookie jar per host: the replicas share 127.0.0.1, as a browser shares one site behind a balancer
        using var onA = Browser(a);
        using var onB = Browser(b);

        var login = AdminApp.AntiforgeryToken(await onA.GetStringAsync("/login"));
        var signedIn = await onA.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["Token"] = AdminApp.Token, ["__RequestVerificationToken"] = login }));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("lenet5.admin=", StringComparison.Ordinal)).Split(';')[0];
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/api/training")).StatusCode);

        var logout = AdminApp.AntiforgeryToken(await onB.GetStringAsync("/admin"));
        Assert.Equal(HttpStatusCode.Redirect, (await onB.PostAsync("/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = logout }))).StatusCode);

        using var bare = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = a.Address };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/training");
        request.Headers.Add("Cookie", cookie);
        Assert.Equal(HttpStatusCode.Unauthorized, (await bare.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task ARunStartedOnOneReplicaTrainsOnceWhileTheOthersStreamAndServeItsModel()
    {
        var database = await cluster.Postgres.CreateDatabaseAsync();
        // B only serves (Training:Enabled=false): A trains the run, whichever replica it was started on
        var (a, b) = (Replica("a", database), Replica("b", database, trains: false));
        await ReplicaProcess.StartAllAsync(a, b);
        using var onA = Admin(a);
        using var onB = Admin(b);

        long id = await AdminApp.StartAsync(onB, new { trainLimit = 1000, epochs = 4 });
        Assert.Equal(HttpStatusCode.Conflict, (await onA.PostAsync("/api/training", AdminApp.Json(new { epochs = 1 }))).StatusCode);

        // B's stream up to its first epoch; then the browser loses B and reconnects to A with the last id it saw
        List<SseEvent> first;
        using (var stream = await onB.GetAsync($"/api/training/{id}/events", HttpCompletionOption.ResponseHeadersRead))
            first = await ReadEventsAsync(stream, until: e => e.Type == "epoch");
        Assert.Equal("state", first[0].Type);
        string lastSeen = first[^1].Id!;
        using var resume = new HttpRequestMessage(HttpMethod.Get, $"/api/training/{id}/events");
        resume.Headers.Add("Last-Event-ID", lastSeen);
        using var again = await onA.SendAsync(resume, HttpCompletionOption.ResponseHeadersRead);
        var rest = await ReadEventsAsync(again);
        Assert.DoesNotContain(rest, e => e.Type == "state");
        Assert.Equal("done", rest[^1].Type);
        int stateEpochs = first[0].Data.GetProperty("completedEpochs").GetInt32();
        int[] EpochsOf(IEnumerable<SseEvent> events) => [.. events.Where(e => e.Type == "epoch").Select(e => e.Data.GetProperty("metrics").GetProperty("epoch").GetInt32())];
        Assert.Equal(Enumerable.Range(stateEpochs + 1, 4 - stateEpochs), [.. EpochsOf(first), .. EpochsOf(rest)]); // none missed, none twice
        Assert.All(rest.Where(e => e.Type == "epoch"), e => Assert.Equal(e.Data.GetProperty("metrics").GetProperty("epoch").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), e.Id));
        var done = rest[^1].Data;
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal("a", TrainerOf(done));
        Assert.Equal([1, 2, 3, 4], done.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("epoch").GetInt32()));
        Assert.Equal(4, await Scalar<int>(database, $"SELECT COUNT(*) FROM epochs WHERE run_id = {id};"));
        Assert.DoesNotContain(b.Lines, l => l.Contains($"Training run {id} started", StringComparison.Ordinal));

        // its model: listed on both within 2 s, activated on B, answering on A
        string model = done.GetProperty("modelId").GetString()!;
        foreach (var client in new[] { onA, onB })
            await Eventually(async () => (await client.GetStringAsync("/api/models")).Contains($"\"{model}\"", StringComparison.Ordinal), $"{model} listed");
        Assert.Equal(HttpStatusCode.OK, (await onB.PostAsync($"/api/models/{model}/activate", null)).StatusCode);
        await Eventually(async () => await PredictedByAsync(onA) == model, $"{model} answering on A");

        // a correction sent to A, reviewed on B
        var correction = await onA.PostAsync("/api/corrections", AdminApp.Json(new { label = 3, pixels = Enumerable.Range(0, 784).Select(i => i % 28 is > 8 and < 20 && i / 28 is > 4 and < 24 ? 255 : 0) }));
        Assert.Equal(HttpStatusCode.Created, correction.StatusCode);
        long drawing = JsonDocument.Parse(await correction.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();
        var review = await onB.PostAsync($"/api/corrections/{drawing}/accept", null);
        Assert.True(review.IsSuccessStatusCode, await review.Content.ReadAsStringAsync());
        Assert.Contains("\"accepted\"", await onA.GetStringAsync($"/api/corrections/{drawing}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KillingTheTrainingReplicaLetsAnotherFinishTheRunWithTheSameWeights()
    {
        var settings = new { trainLimit = 2000, epochs = 4, seed = 11 };

        // the reference: the same run, uninterrupted, on a replica of its own
        var alone = Replica("alone", await cluster.Postgres.CreateDatabaseAsync());
        await alone.StartAsync();
        using var onAlone = Admin(alone);
        var reference = await WaitForRunAsync(onAlone, await AdminApp.StartAsync(onAlone, settings), r => Is(r, "completed"), "completed");
        var referenceModel = await onAlone.GetByteArrayAsync($"/api/models/{reference.GetProperty("modelId").GetString()}/file");
        alone.Dispose();

        var database = await cluster.Postgres.CreateDatabaseAsync();
        var (a, b) = (Replica("a", database), Replica("b", database));
        await ReplicaProcess.StartAllAsync(a, b);
        using var onA = Admin(a);
        long id = await AdminApp.StartAsync(onA, settings);
        var going = await WaitForRunAsync(onA, id, r => Is(r, "running") && r.GetProperty("completedEpochs").GetInt32() >= 1, "one epoch in");
        var (victim, survivor) = TrainerOf(going) == "a" ? (a, b) : (b, a);
        victim.Kill();

        using var onSurvivor = Admin(survivor);
        var taken = await WaitForRunAsync(onSurvivor, id, r => TrainerOf(r) == survivor.Name, "taken over");
        var finished = await WaitForRunAsync(onSurvivor, id, r => Is(r, "completed"), "completed");
        Assert.Equal(survivor.Name, TrainerOf(finished));
        Assert.Equal([1, 2, 3, 4], finished.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("epoch").GetInt32()));
        Assert.Equal(reference.GetProperty("testAccuracy").GetDouble(), finished.GetProperty("testAccuracy").GetDouble());
        var model = await onSurvivor.GetByteArrayAsync($"/api/models/{finished.GetProperty("modelId").GetString()}/file");
        Assert.Equal(Parameters(referenceModel), Parameters(model));
        Assert.True(taken.GetProperty("completedEpochs").GetInt32() >= 1); // it continued from the checkpoint, not from scratch
    }

    [Fact]
    public async Task ARollingRestartLosesNoDrawingAndHandsTheRunOverAtOnce()
    {
        var database = await cluster.Postgres.CreateDatabaseAsync();
        var (a, b) = (Replica("a", database), Replica("b", database));
        await ReplicaProcess.StartAllAsync(a, b);
        using var nginx = await cluster.StartNginxAsync(a, b);
        using var onA = Admin(a);
        long run = await AdminApp.StartAsync(onA, new { trainLimit = 1000, epochs = 200 });
        await WaitForRunAsync(onA, run, r => Is(r, "running") && r.GetProperty("completedEpochs").GetInt32() >= 1, "one epoch in");

        using var clients = new CancellationTokenSource();
        var failures = new List<string>();
        int answered = 0;
        async Task DrawAsync()
        {
            using var http = new HttpClient { BaseAddress = nginx.Address, Timeout = TimeSpan.FromSeconds(30) };
            while (!clients.IsCancellationRequested)
            {
                try
                {
                    var response = await http.PostAsync("/api/predict", Drawing());
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref answered);
                        continue;
                    }
                    var refusal = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
                    lock (failures) failures.Add(refusal);
                }
                catch (HttpRequestException ex)
                {
                    lock (failures) failures.Add(ex.Message);
                }
            }
        }
        var drawing1 = DrawAsync();
        var drawing2 = DrawAsync();

        foreach (var replica in new[] { a, b })
        {
            string trainerBefore = TrainerOf(await RunAsync(Admin(replica == a ? b : a), run))!;
            var stopped = DateTime.UtcNow;
            replica.Terminate();
            Assert.Equal(0, await replica.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            if (trainerBefore == replica.Name)
            {
                // handed back on SIGTERM: the other takes it up without waiting for the lease to lapse
                using var other = Admin(replica == a ? b : a);
                await WaitForRunAsync(other, run, r => TrainerOf(r) == (replica == a ? b : a).Name, "taken by the other replica");
                Assert.True(DateTime.UtcNow - stopped < TimeSpan.FromSeconds(LeaseSeconds + 30));
            }
            await replica.StartAsync(); // healthy: docs/deployment.md's procedure goes on to the next at once
        }
        await Task.Delay(500);
        await clients.CancelAsync();
        await Task.WhenAll(drawing1, drawing2);

        Assert.True(failures.Count == 0, $"{failures.Count} of {failures.Count + answered} drawings failed: {failures.FirstOrDefault()}\n{nginx.Log}");
        Assert.True(answered > 20, $"only {answered} drawings answered");
        var status = await RunAsync(onA, run);
        Assert.True(Is(status, "running") || Is(status, "queued"), status.ToString());
        Assert.Equal(Enumerable.Range(1, status.GetProperty("completedEpochs").GetInt32()), status.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("epoch").GetInt32()));
    }

    [Fact]
    public async Task ADatabaseThatGoesAwayMakesReplicasUnhealthyUntilItReturns()
    {
        var database = await cluster.Postgres.CreateDatabaseAsync();
        var a = Replica("a", database, trains: false);
        await a.StartAsync();
        using var client = new HttpClient { BaseAddress = a.Address };
        await cluster.Postgres.StopAsync();
        try
        {
            await Eventually(async () => (await client.GetAsync("/healthz")).StatusCode == HttpStatusCode.ServiceUnavailable, "unhealthy without its database");
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/predict", Drawing())).StatusCode); // predictions go on
        }
        finally
        {
            await cluster.Postgres.StartAsync();
        }
        await Eventually(async () => (await client.GetAsync("/healthz")).StatusCode == HttpStatusCode.OK, "healthy again");
    }

    private static async Task<string?> PredictedByAsync(HttpClient client)
    {
        var response = await client.PostAsync("/api/predict", Drawing());
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("model").GetString();
    }

    /// <summary>A 280x280 page drawing of a seven, as the drawing page sends it.</summary>
    private static ByteArrayContent Drawing()
    {
        var content = new ByteArrayContent(File.ReadAllBytes(Path.Combine(RepoPaths.Root, "bench", "canvas", "seven-280.png")));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return content;
    }

    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"never {what}");
            await Task.Delay(100);
        }
    }

    private sealed record SseEvent(string Type, string? Id, JsonElement Data);

    /// <summary>A stream's events, to its end (the server closes it after 'done') or through the first that <paramref name="until"/> accepts.</summary>
    private static async Task<List<SseEvent>> ReadEventsAsync(HttpResponseMessage response, Func<SseEvent, bool>? until = null)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var events = new List<SseEvent>();
        string? type = null, id = null, data = null;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line["event: ".Length..];
            else if (line.StartsWith("id: ", StringComparison.Ordinal)) id = line["id: ".Length..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line["data: ".Length..];
            else if (line.Length == 0 && data is not null) // a blank line ends an event, whatever the order of its fields
            {
                var e = new SseEvent(type ?? "message", id, JsonDocument.Parse(data).RootElement.Clone());
                events.Add(e);
                (type, id, data) = (null, null, null);
                if (until?.Invoke(e) == true) break;
            }
        }
        return events;
    }

    /// <summary>A model file's parameters (its tensors), without the metadata that names the run and its time.</summary>
    private static float[] Parameters(byte[] file) => Core.Models.ModelFile.Read(file, "model", out _).Parameters;
}
