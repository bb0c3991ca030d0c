using System.Net;
using System.Xml.Linq;
using LeNet5.Core.Training;
using LeNet5.Web.Features.Admin;
using LeNet5.Web.Features.Atlas;
using LeNet5.Web.Features.Corrections;
using LeNet5.Web.Features.Training;
using LeNet5.Web.Infrastructure;
using LeNet5.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LeNet5.Web.Tests.Cluster;

/// <summary>
/// Every store's SQL, run against each provider: the same calls must mean the same on SQLite and on
/// PostgreSQL (types, upserts, the one-active-run index, claims and leases, JSON id lists, counts).
/// </summary>
public abstract class StoreSuite : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("lenet5-store-").FullName;
    private Database? _database;

    protected abstract DataOptions Options(string directory);

    protected Database Database => _database ??= new Database(Microsoft.Extensions.Options.Options.Create(Options(_directory)), new HostingEnvironment { ContentRootPath = _directory });

    public void Dispose()
    {
        _database?.Dispose();
        Directory.Delete(_directory, recursive: true);
        GC.SuppressFinalize(this);
    }

    private static EpochMetrics Epoch(int n) => new(n, 0.1 / n, 0.05 / n, 0.3, 1000, 2, 0.0005, new Dictionary<string, double> { ["C1"] = 0.01 * n }, n == 2 ? 0.25 : null);

    [Fact]
    public void OneRunIsActiveAtATimeAndOnlyItsTrainerWritesIt()
    {
        var runs = new RunStore(Database);
        long id = runs.CreateRun("{}", 3, T0)!.Value;
        Assert.Null(runs.CreateRun("{}", 3, T0)); // the unique index: one queued or running run
        Assert.Equal(id, runs.ActiveRun()!.Id);

        // a claim takes the queued run once; another trainer finds nothing while the lease holds
        Assert.Equal(id, runs.Claim("a", T0, T0.AddSeconds(10), takeAnyRunning: false));
        Assert.Null(runs.Claim("b", T0.AddSeconds(5), T0.AddSeconds(15), takeAnyRunning: false));
        Assert.Equal(false, runs.Renew(id, "a", T0.AddSeconds(20), """{"epoch":1}""", "[[0.5,2.1]]"));
        Assert.Null(runs.Renew(id, "b", T0.AddSeconds(20), null, null));

        Assert.True(runs.RecordEpoch(id, "a", T0.AddSeconds(20), Epoch(1), "[[1,1.5]]", [1, 2, 3]));
        Assert.True(runs.RecordEpoch(id, "a", T0.AddSeconds(20), Epoch(2), "[[1,1.5],[2,1.2]]", [4, 5, 6]));
        Assert.False(runs.RecordEpoch(id, "b", T0.AddSeconds(20), Epoch(3), "[]", [9]));
        Assert.Equal([4, 5, 6], runs.GetCheckpoint(id));
        var run = runs.GetRun(id)!;
        Assert.Equal((RunStatus.Running, "a", 2), (run.Status, run.Trainer, run.CompletedEpochs));
        Assert.Equal(0.25, runs.GetEpochs(id)[1].CorrectionsTestError);
        Assert.Equal(0.02, runs.GetEpochs(id)[1].LearningRates["C1"], 9);

        // a's lease runs out (it died): b takes the run over, and a can no longer write to it
        Assert.Equal(id, runs.Claim("b", T0.AddSeconds(21), T0.AddSeconds(31), takeAnyRunning: false));
        Assert.Null(runs.Renew(id, "a", T0.AddSeconds(25), null, null));
        Assert.False(runs.BeginPublishing(id, "a"));

        // a cancel asked from anywhere reaches the trainer at its heartbeat, and once publishing it is too late
        Assert.True(runs.RequestCancel(id));
        Assert.Equal(true, runs.Renew(id, "b", T0.AddSeconds(26), null, null));
        Assert.False(runs.BeginPublishing(id, "b"));
        Assert.True(runs.HandBack(id, "b"));
        Assert.Equal(RunStatus.Queued, runs.GetRun(id)!.Status);
        Assert.True(runs.CancelQueued(id, T0.AddSeconds(27)));
        Assert.Null(runs.ActiveRun());

        // resumed, claimed, published and completed: the checkpoint goes, the mistakes stay
        Assert.Equal(true, runs.Requeue(id, 4));
        long other = runs.CreateRun("{}", 1, T0) ?? -1;
        Assert.Equal(-1, other);
        Assert.Equal(id, runs.Claim("c", T0.AddSeconds(30), T0.AddSeconds(40), takeAnyRunning: false));
        Assert.True(runs.BeginPublishing(id, "c"));
        Assert.False(runs.RequestCancel(id));
        Assert.True(runs.Complete(id, "c", T0.AddSeconds(40), "run-1-lenet5", 0.99, [[1, 0], [0, 1]], [new MistakeRecord(7, 4, 9)], T0.AddSeconds(41)));
        Assert.False(runs.HasCheckpoint(id));
        Assert.Equal(RunStatus.Completed, runs.GetRun(id)!.Status);
        Assert.Equal(new MistakeRecord(7, 4, 9), Assert.Single(runs.GetMistakes(id, 10)));
        Assert.Equal([[1, 0], [0, 1]], runs.GetConfusion(id));
        Assert.Equal(false, runs.Requeue(id, 5)); // a completed run cannot be resumed
        Assert.Equal(id, Assert.Single(runs.ListRuns(10)).Id);
    }

    [Fact]
    public void AFailedRunIsWrittenOnlyByItsTrainerAndCanBeResumed()
    {
        var runs = new RunStore(Database);
        long id = runs.CreateRun("{}", 2, T0)!.Value;
        Assert.Equal(id, runs.Claim("a", T0, T0.AddSeconds(10), takeAnyRunning: false));
        Assert.False(runs.MarkFinished(id, "b", RunStatus.Failed, T0, "not b's"));
        Assert.True(runs.MarkFinished(id, "a", RunStatus.Failed, T0, "diverged"));
        Assert.Equal("diverged", runs.GetRun(id)!.Error);
        Assert.Equal(true, runs.Requeue(id, 2));
        Assert.Null(runs.GetRun(id)!.Error);
        // a replica alone on its database takes a running run whatever its lease: it is its own, from before a crash
        Assert.Equal(id, runs.Claim("a", T0, T0.AddSeconds(10), takeAnyRunning: false));
        Assert.Equal(id, runs.Claim("a2", T0.AddSeconds(1), T0.AddSeconds(11), takeAnyRunning: true));
    }

    [Fact]
    public void CorrectionsAreStoredOnceUnderTheirCapsAndFoundByEveryFilter()
    {
        var store = new CorrectionStore(Database);
        var caps = new CorrectionCaps(MaxDrawings: 3, MaxStoredBytes: 100_000, MaxDrawingsPerClientPerDay: 2);
        NewCorrection Drawing(byte ink, int label, string client = "10.0.0.1") =>
            new(label, (label + 1) % 10, ink % 2 == 0, [0.1f, 0.9f], "lenet5", Enumerable.Repeat(ink, 784).ToArray(), "[[[1,2],[3,4]]]", client);

        var first = store.Add(Drawing(1, 4), caps, T0);
        Assert.Equal(AddOutcome.Stored, first.Outcome);
        Assert.Equal((AddOutcome.Duplicate, first.Id), (store.Add(Drawing(1, 4), caps, T0).Outcome, store.Add(Drawing(1, 4), caps, T0).Id));
        Assert.Equal(AddOutcome.Stored, store.Add(Drawing(2, 7), caps, T0.AddMinutes(1)).Outcome);
        var full = store.Add(Drawing(3, 7), caps, T0.AddMinutes(2));
        Assert.Equal(AddOutcome.ClientDayFull, full.Outcome);
        Assert.Equal(T0.AddDays(1), full.RoomAt);
        Assert.Equal(AddOutcome.Stored, store.Add(Drawing(3, 7, "10.0.0.2"), caps, T0.AddMinutes(2)).Outcome);
        Assert.Equal(AddOutcome.TooManyDrawings, store.Add(Drawing(5, 1, "10.0.0.3"), caps, T0.AddMinutes(3)).Outcome);

        var (sevens, total) = store.List(new CorrectionFilter(7, null, null, null), 10, null);
        Assert.Equal(2, total);
        Assert.All(sevens, c => Assert.Equal(7, c.Label));
        var stored = store.Get(first.Id)!;
        Assert.Equal((4, 5, false, "lenet5"), (stored.Label, stored.Predicted, stored.Rejected, stored.ModelId));
        Assert.Equal(Enumerable.Repeat((byte)1, 784), stored.Pixels);
        Assert.Equal([0.1f, 0.9f], stored.Probabilities);

        Assert.True(store.Review(first.Id, CorrectionStatus.Accepted, 9, T0.AddHours(1)));
        Assert.Equal(9, Assert.Single(store.Accepted()).Label);
        Assert.Equal(first.Id, Assert.Single(store.Accepted([first.Id, 424242])).Id);
        Assert.Equal(2, store.Bulk(BulkAction.Reject, CorrectionStatus.Pending, null, T0.AddHours(2)));
        Assert.Equal(1, store.Bulk(BulkAction.Delete, null, [first.Id], T0.AddHours(2)));
        Assert.Equal(2, store.Census().Count(c => c.Status == CorrectionStatus.Rejected));
        Assert.True(store.Delete(store.Census()[0].Id));
        Assert.Single(store.Census());
    }

    [Fact]
    public void AnAtlasIsFoundOnlyForTheFingerprintItWasFittedForAndAFitAgainReplacesIt()
    {
        var atlases = new AtlasStore(Database);
        Assert.Null(atlases.Find("m", "one"));
        float[] first = [1.5f, -2.25f, 3e-7f, float.MaxValue], second = [0f, 1f, 2f, 3f];
        atlases.Save("m", "one", first);
        Assert.Equal(first, atlases.Find("m", "one"));
        Assert.Null(atlases.Find("m", "two")); // other weights or another recipe: fit again
        atlases.Save("m", "two", second); // two replicas fitting at once write the same row: an upsert
        atlases.Save("m", "two", second);
        Assert.Equal(second, atlases.Find("m", "two"));
        Assert.Null(atlases.Find("m", "one"));
    }

    [Fact]
    public void SessionsFailedSignInsAndKeysAreShared()
    {
        var admin = Microsoft.Extensions.Options.Options.Create(new AdminOptions { Token = new string('t', 40) });
        var time = new ManualTime(T0);
        var sessions = new AdminSessions(Database, new AdminToken(admin, NullLogger<AdminToken>.Instance), admin, time);
        var session = sessions.Start();
        Assert.True(sessions.IsActive(session));
        // another replica with the same token sees it; one with another token does not
        var other = Microsoft.Extensions.Options.Options.Create(new AdminOptions { Token = new string('u', 40) });
        Assert.True(new AdminSessions(Database, new AdminToken(admin, NullLogger<AdminToken>.Instance), admin, time).IsActive(session));
        Assert.False(new AdminSessions(Database, new AdminToken(other, NullLogger<AdminToken>.Instance), other, time).IsActive(session));
        sessions.End(session);
        Assert.False(sessions.IsActive(session));

        var limits = Microsoft.Extensions.Options.Options.Create(new RateLimitOptions { LoginPermitLimit = 2, LoginWindowSeconds = 60 });
        var failures = new FailedSignIns(Database, limits, time);
        var client = new DefaultHttpContext { Connection = { RemoteIpAddress = IPAddress.Parse("10.0.0.9") } };
        failures.Record(client);
        Assert.Null(failures.RetryAfterSeconds(client));
        new FailedSignIns(Database, limits, time).Record(client);
        Assert.InRange(failures.RetryAfterSeconds(client) ?? 0, 1, 60);
        time.Now = T0.AddSeconds(61);
        Assert.Null(failures.RetryAfterSeconds(client));

        var keys = new DatabaseXmlRepository(Database);
        keys.StoreElement(new XElement("key", new XAttribute("id", "k1")), "key-k1");
        keys.StoreElement(new XElement("key", new XAttribute("id", "k1-again")), "key-k1");
        Assert.Equal("k1", Assert.Single(new DatabaseXmlRepository(Database).GetAllElements()).Attribute("id")!.Value);
    }

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}

/// <summary>The store suite on the embedded default.</summary>
public sealed class SqliteStoreTests : StoreSuite
{
    protected override DataOptions Options(string directory) => new() { Directory = directory };
}

/// <summary>The store suite on a real PostgreSQL, a database of its own per test.</summary>
[Collection(ClusterCollection.Name)]
public sealed class PostgresStoreTests(ClusterFixture cluster) : StoreSuite
{
    protected override DataOptions Options(string directory) =>
        new() { Directory = directory, Provider = DataOptions.Postgres, PostgresConnectionString = cluster.Postgres.CreateDatabaseAsync().GetAwaiter().GetResult() };
}
