using System.Collections.Immutable;
using System.Data.Common;
using System.Text.RegularExpressions;

namespace LeNet5.Web.Features.Models;

/// <summary>
/// Every model this replica serves: the shipped ones, files of the models folder (Models:Directory),
/// and the trained ones, rows of the database's models table that every replica shares (kept in line by
/// <see cref="ModelSync"/>); and the one owner of which model is active: the one an admin activated last
/// (kept in the database), else Models:Default, else the first. Readers take one immutable snapshot;
/// changes build a new snapshot and swap it in atomically, so a request never sees a half-updated registry.
/// </summary>
public sealed partial class ModelRegistry
{
    public const string FileExtension = ".safetensors";

    /// <summary>The database write lock that activating, deleting and their checks take, so that no replica deletes what another activates.</summary>
    private const string DatabaseLock = "models";

    private readonly object _writeLock = new();
    private readonly Database _database;
    private readonly ClusterSignals _signals;
    private readonly ActiveModelStore _activeStore;
    private readonly ILogger<ModelRegistry> _logger;
    private readonly TimeProvider _time;
    private volatile Snapshot _snapshot = new(ImmutableSortedDictionary<string, ModelEntry>.Empty.WithComparers(StringComparer.Ordinal), null);

    /// <summary>
    /// Counts this replica's own writes to the database (under the write lock): a synchronisation that read
    /// the database before one of them must not apply what it read, or it would undo a change it never saw.
    /// </summary>
    private long _localChanges;

    /// <summary>Rows (id and created_at) whose bytes are not a model: warned about once, not re-read every second.</summary>
    private readonly HashSet<(string Id, string CreatedAt)> _unreadable = [];

    public ModelRegistry(IOptions<ModelOptions> options, Database database, ActiveModelStore activeStore, ClusterSignals signals, IHostEnvironment environment,
        ILogger<ModelRegistry> logger, TimeProvider time)
    {
        _database = database;
        _signals = signals;
        _activeStore = activeStore;
        _logger = logger;
        _time = time;
        DirectoryPath = options.Value.ResolveDirectory(environment.ContentRootPath);
        TrainedDirectoryPath = Path.Combine(database.DirectoryPath, "models");
        DefaultId = options.Value.Default;
        LoadDirectory(DirectoryPath);
        if (!string.Equals(Path.GetFullPath(TrainedDirectoryPath), Path.GetFullPath(DirectoryPath), StringComparison.Ordinal))
            ImportTrainedFiles();
        ApplyDatabase(ReadDatabase(), _localChanges);
        ChooseActive();
        _logger.LogInformation("{Count} model(s) in {Directory} and {Database}; active: {Active}", _snapshot.Models.Count, DirectoryPath, database.Description, Active?.Id ?? "none");
    }

    /// <summary>The folder of the shipped models (Models:Directory).</summary>
    public string DirectoryPath { get; }

    /// <summary>
    /// <c>{Data:Directory}/models</c>, where trained models were files before they lived in the database:
    /// the model files found there at start-up are imported into the database, then deleted.
    /// </summary>
    public string TrainedDirectoryPath { get; }

    /// <summary>Models:Default.</summary>
    public string DefaultId { get; }

    /// <summary>All models, ordered by id.</summary>
    public IReadOnlyList<ModelEntry> List() => [.. _snapshot.Models.Values];

    /// <summary>The model with this id, or null.</summary>
    public ModelEntry? Get(string id) => _snapshot.Models.GetValueOrDefault(id);

    /// <summary>The model a request names (<c>?model=</c>), or the active one when it names none; a problem when there is none.</summary>
    public ModelEntry Resolve(string? id) =>
        string.IsNullOrEmpty(id)
            ? Active ?? throw ModelProblems.NoModel()
            : Get(id) ?? throw ModelProblems.UnknownModel(id);

    /// <summary>The model that answers when a request names none; null when no model is loaded.</summary>
    public ModelEntry? Active
    {
        get
        {
            var s = _snapshot;
            return s.ActiveId is null ? null : s.Models.GetValueOrDefault(s.ActiveId);
        }
    }

    /// <summary>
    /// Whether a model of this id exists anywhere: loaded here, a file of the models folder, or a row that
    /// another replica stored and this one has not loaded yet. A new model's id must be none of these.
    /// </summary>
    public bool IsStored(string id) =>
        Get(id) is not null
        || File.Exists(Path.Combine(DirectoryPath, id + FileExtension))
        || _database.Scalar("SELECT 1 FROM models WHERE id = @id;", ("@id", id)) is not null;

    /// <summary>
    /// Reads (or re-reads) a model file and adds it under its file name, replacing a model of the same
    /// id (a first model becomes the active one until another is chosen). Only this replica sees it.
    /// Throws <see cref="ModelFormatException"/> for a bad file, leaving the registry as it was.
    /// </summary>
    public ModelEntry Load(string path)
    {
        var entry = Read(path);
        lock (_writeLock)
        {
            var s = _snapshot;
            _snapshot = new Snapshot(s.Models.SetItem(entry.Id, entry), s.ActiveId ?? entry.Id);
        }
        _logger.LogInformation("Loaded model {ModelId} ({Architecture}) from {Path}", entry.Id, entry.Model.Architecture.ToString(), entry.Path);
        return entry;
    }

    /// <summary>
    /// Stores a trained model in the database, where every replica finds it, and loads it here; returns it.
    /// A model of the same id stored before is replaced (a run that publishes again after a crash replaces
    /// its own); a first model becomes the active one until another is chosen. Throws
    /// <see cref="ModelFormatException"/> when the bytes are not a model, storing nothing, and
    /// <see cref="InvalidOperationException"/> for the id of a shipped model, whose file would hide it.
    /// </summary>
    public ModelEntry SaveTrained(string id, byte[] fileBytes)
    {
        var now = _time.GetUtcNow();
        var entry = Stored(id, fileBytes, Database.Time(now), now);
        lock (_writeLock)
        {
            if (_snapshot.Models.TryGetValue(id, out var existing) && !existing.InDatabase)
                throw new InvalidOperationException($"'{id}' is the id of the model file {existing.Path}; a trained model needs an id IsStored says is free.");
            _database.Execute("""
                INSERT INTO models (id, bytes, created_at) VALUES (@id, @bytes, @createdAt)
                ON CONFLICT (id) DO UPDATE SET bytes = excluded.bytes, created_at = excluded.created_at;
                """, ("@id", id), ("@bytes", fileBytes), ("@createdAt", entry.RowCreatedAt));
            var s = _snapshot;
            _snapshot = new Snapshot(s.Models.SetItem(id, entry), s.ActiveId ?? id);
            _localChanges++;
        }
        _logger.LogInformation("Stored model {ModelId} ({Architecture}, {Bytes} bytes) in {Database}", id, entry.Model.Architecture.ToString(), fileBytes.Length, _database.Description);
        _signals.Notify(ClusterSignals.Models);
        return entry;
    }

    /// <summary>
    /// Makes the model with this id the active one, for every request on every replica from now on and
    /// after restarts, and returns it; null when there is no such model. The choice is written to the
    /// database under the models' write lock, before the switch: no delete, here or on another replica,
    /// can slip in between, and if the write fails nothing changes.
    /// </summary>
    public ModelEntry? Activate(string id)
    {
        ModelEntry? entry;
        lock (_writeLock)
        {
            var s = _snapshot;
            if (!s.Models.TryGetValue(id, out entry)) return null;
            using (var connection = _database.Open())
            using (var transaction = _database.BeginWrite(connection, DatabaseLock))
            {
                // another replica may have deleted it a moment ago; this replica drops it at its next synchronisation
                if (entry.InDatabase && Database.Scalar(connection, transaction, "SELECT 1 FROM models WHERE id = @id;", ("@id", id)) is null) return null;
                ActiveModelStore.Set(connection, transaction, id);
                transaction.Commit();
            }
            _snapshot = s with { ActiveId = id };
            _localChanges++;
        }
        _logger.LogInformation("Active model is now {ModelId}", id);
        _signals.Notify(ClusterSignals.Models);
        return entry;
    }

    /// <summary>
    /// Deletes a model and takes it out of the registry; returns the removed model. A trained model's row
    /// goes, and with it the model on every replica; a shipped model's file is deleted on this replica.
    /// The active model, here or as every replica's stored choice, cannot be removed (a conflict); requests
    /// already holding a removed model finish with it. When a file cannot be deleted the model stays
    /// loaded (a server error, with the reason).
    /// </summary>
    public ModelEntry Remove(string id)
    {
        ModelEntry? removed;
        lock (_writeLock)
        {
            var s = _snapshot;
            if (!s.Models.TryGetValue(id, out removed)) throw ModelProblems.UnknownModel(id);
            if (s.ActiveId == id) throw ModelProblems.ActiveModelKept(id);
            using (var connection = _database.Open())
            using (var transaction = _database.BeginWrite(connection, DatabaseLock))
            {
                // another replica may have activated it a moment ago
                if (ActiveModelStore.Get(connection, transaction) == id) throw ModelProblems.ActiveModelKept(id);
                Database.Execute(connection, transaction, "DELETE FROM atlases WHERE model_id = @id;", ("@id", id)); // its map goes with it
                if (removed.InDatabase) Database.Execute(connection, transaction, "DELETE FROM models WHERE id = @id;", ("@id", id));
                else DeleteFile(removed);
                transaction.Commit();
            }
            _snapshot = s with { Models = s.Models.Remove(id) };
            _localChanges++;
        }
        _logger.LogInformation("Removed model {ModelId} ({Path})", id, removed.Path);
        if (removed.InDatabase) _signals.Notify(ClusterSignals.Models);
        return removed;
    }

    /// <summary>
    /// Brings this replica's models in line with the database: loads the rows it lacks or whose
    /// created_at changed (with one query for their bytes), drops the trained models whose rows are gone
    /// (never a file's), and follows the stored active choice while its model is loaded. When nothing
    /// changed it costs two small queries. Returns the models it dropped or replaced, whose derived
    /// answers are no longer needed. Throws what the database throws when it is away; what is loaded stays.
    /// </summary>
    internal IReadOnlyList<ModelEntry> Synchronize()
    {
        long changesSeen;
        lock (_writeLock) changesSeen = _localChanges;
        var (loaded, retired, activated) = ApplyDatabase(ReadDatabase(), changesSeen);
        foreach (var entry in loaded) _logger.LogInformation("Loaded model {ModelId} ({Architecture}) from {Path}", entry.Id, entry.Model.Architecture.ToString(), entry.Path);
        foreach (var entry in retired.Where(e => !loaded.Any(l => l.Id == e.Id)))
            _logger.LogInformation("Removed model {ModelId}: its row is gone from {Database}", entry.Id, _database.Description);
        if (activated is not null) _logger.LogInformation("Active model is now {ModelId}, as stored in the database", activated);
        return retired;
    }

    private DatabaseState ReadDatabase()
    {
        var rows = _database.Query("SELECT id, created_at FROM models;", r => (Id: r.GetString(0), CreatedAt: r.GetString(1)));
        var storedActive = _activeStore.Get();
        var s = _snapshot;
        var stale = rows.Where(r => !_unreadable.Contains(r) && (s.Models.GetValueOrDefault(r.Id) is not { } e || (e.InDatabase && e.RowCreatedAt != r.CreatedAt))).ToList();
        return new DatabaseState(rows.Select(r => r.Id).ToHashSet(StringComparer.Ordinal), storedActive, stale.Count == 0 ? [] : ReadRows(stale.Select(r => r.Id)));
    }

    /// <summary>The models of these rows, in one query; a row whose bytes are not a model is skipped (and warned about once).</summary>
    private List<ModelEntry> ReadRows(IEnumerable<string> ids)
    {
        var parameters = ids.Select((id, i) => ($"@id{i}", (object?)id)).ToArray();
        var rows = _database.Query($"SELECT id, bytes, created_at FROM models WHERE id IN ({string.Join(", ", parameters.Select(p => p.Item1))});",
            r => (Id: r.GetString(0), Bytes: (byte[])r.GetValue(1), CreatedAt: r.GetString(2)), parameters);
        var entries = new List<ModelEntry>();
        foreach (var (id, bytes, createdAt) in rows)
        {
            try
            {
                entries.Add(Stored(id, bytes, createdAt, _time.GetUtcNow()));
            }
            catch (ModelFormatException ex)
            {
                if (_unreadable.Add((id, createdAt))) _logger.LogWarning("Skipped model {ModelId} of {Database}: {Reason}", id, _database.Description, ex.Message);
            }
        }
        return entries;
    }

    /// <summary>
    /// Swaps in a snapshot that matches what was read, unless this replica changed something since
    /// <paramref name="changesSeen"/> (the next synchronisation reads that change too). A row of a shipped
    /// model's id is left out: the file answers under that id.
    /// </summary>
    private (List<ModelEntry> Loaded, List<ModelEntry> Retired, string? Activated) ApplyDatabase(DatabaseState state, long changesSeen)
    {
        lock (_writeLock)
        {
            if (_localChanges != changesSeen) return ([], [], null);
            var s = _snapshot;
            var loaded = state.Loaded.Where(e => s.Models.GetValueOrDefault(e.Id) is not { InDatabase: false }).ToList();
            var retired = s.Models.Values.Where(e => e.InDatabase && (!state.Ids.Contains(e.Id) || loaded.Any(l => l.Id == e.Id))).ToList();
            var models = s.Models.RemoveRange(retired.Select(e => e.Id)).SetItems(loaded.Select(e => KeyValuePair.Create(e.Id, e)));
            string? activeId = state.StoredActive is { } stored && models.ContainsKey(stored) ? stored
                : s.ActiveId is { } current && models.ContainsKey(current) ? current
                : Fallback(models);
            _snapshot = new Snapshot(models, activeId);
            return (loaded, retired, activeId != s.ActiveId && s.ActiveId is not null ? activeId : null);
        }
    }

    /// <summary>At start-up: the model an admin activated, while it exists; else Models:Default; else the first (alphabetically).</summary>
    private void ChooseActive()
    {
        var s = _snapshot;
        if (s.Models.IsEmpty) return;
        string id;
        var stored = _activeStore.Get();
        if (stored is not null && s.Models.ContainsKey(stored))
        {
            id = stored;
            _logger.LogInformation("Active model {ModelId} restored from the database", id);
        }
        else
        {
            id = Fallback(s.Models)!;
            if (stored is not null) _logger.LogWarning("The stored active model {ModelId} no longer exists; {Fallback} answers (Models:Default, or the first model)", stored, id);
            else if (id != DefaultId) _logger.LogWarning("The default model {DefaultId} is not in the models folder; {ModelId} is active instead", DefaultId, id);
        }
        _snapshot = s with { ActiveId = id };
    }

    /// <summary>Models:Default when it is loaded, else the first model; null when there is none.</summary>
    private string? Fallback(ImmutableSortedDictionary<string, ModelEntry> models) =>
        models.ContainsKey(DefaultId) ? DefaultId : models.Keys.FirstOrDefault();

    private void LoadDirectory(string directory)
    {
        if (SafeTensors.SweepLeftovers(directory) is > 0 and var swept)
            _logger.LogWarning("Deleted {Count} temporary file(s) an interrupted write left in {Directory}", swept, directory);
        if (!Directory.Exists(directory))
        {
            _logger.LogWarning("The models folder {Directory} does not exist; no shipped model is loaded", directory);
            return;
        }
        foreach (var file in Directory.EnumerateFiles(directory, "*" + FileExtension).Order(StringComparer.Ordinal))
        {
            try
            {
                Load(file);
            }
            catch (ModelFormatException ex)
            {
                _logger.LogWarning("Skipped {Path}: {Reason}", file, ex.Message);
            }
        }
    }

    /// <summary>
    /// Moves the model files of the trained-models folder into the database: each is inserted when no row
    /// has its id, and deleted once the row holds its bytes, so nothing is lost and nothing loads twice.
    /// A file that is not a model, or whose id the database holds with other bytes, stays where it is.
    /// </summary>
    private void ImportTrainedFiles()
    {
        if (SafeTensors.SweepLeftovers(TrainedDirectoryPath) is > 0 and var swept)
            _logger.LogWarning("Deleted {Count} temporary file(s) an interrupted write left in {Directory}", swept, TrainedDirectoryPath);
        if (!Directory.Exists(TrainedDirectoryPath)) return;
        foreach (var file in Directory.EnumerateFiles(TrainedDirectoryPath, "*" + FileExtension).Order(StringComparer.Ordinal))
        {
            ModelEntry entry;
            try
            {
                entry = Read(file);
            }
            catch (ModelFormatException ex)
            {
                _logger.LogWarning("Kept {Path} without importing it: {Reason}", file, ex.Message);
                continue;
            }
            var bytes = entry.FileBytes.ToArray();
            _database.Execute("INSERT INTO models (id, bytes, created_at) VALUES (@id, @bytes, @createdAt) ON CONFLICT (id) DO NOTHING;",
                ("@id", entry.Id), ("@bytes", bytes), ("@createdAt", Database.Time(_time.GetUtcNow())));
            if (_database.Scalar("SELECT bytes FROM models WHERE id = @id;", ("@id", entry.Id)) is not byte[] stored || !stored.AsSpan().SequenceEqual(bytes))
            {
                _logger.LogWarning("Kept {Path} without importing it: {Database} holds another model {ModelId}", file, _database.Description, entry.Id);
                continue;
            }
            try
            {
                File.Delete(file);
                _logger.LogInformation("Imported model {ModelId} from {Path} into {Database} and deleted the file", entry.Id, file, _database.Description);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _logger.LogWarning("Imported model {ModelId} into {Database} but could not delete {Path} ({Reason}); it is not imported again", entry.Id, _database.Description, file, ex.Message);
            }
        }
    }

    /// <summary>Deletes a shipped model's file; when it cannot, the model stays loaded and the problem says why.</summary>
    private void DeleteFile(ModelEntry entry)
    {
        try
        {
            File.Delete(entry.Path); // first: a file that stays must not leave a model the registry forgot
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.LogError(ex, "Could not delete model {ModelId} ({Path}); it stays loaded", entry.Id, entry.Path);
            throw ModelProblems.ModelFileKept(entry.Id, ex.Message);
        }
    }

    private ModelEntry Read(string path)
    {
        var id = Path.GetFileNameWithoutExtension(path);
        if (!IdPattern().IsMatch(id))
            throw new ModelFormatException($"{path}: '{id}' is not a usable model id (letters, digits, '.', '_' or '-').");
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException($"{path}: cannot be read ({ex.Message}).", ex);
        }
        var model = ModelFile.Read(bytes, path, out _);
        return new ModelEntry(id, Path.GetFullPath(path), model, bytes, _time.GetUtcNow());
    }

    /// <summary>A model of the database's models table, named in logs by where it lives.</summary>
    private static ModelEntry Stored(string id, byte[] bytes, string createdAt, DateTimeOffset loadedAt)
    {
        var path = $"database:models/{id}";
        if (!IdPattern().IsMatch(id))
            throw new ModelFormatException($"{path}: '{id}' is not a usable model id (letters, digits, '.', '_' or '-').");
        var model = ModelFile.Read(bytes, path, out _);
        return new ModelEntry(id, path, model, bytes, loadedAt, createdAt);
    }

    private sealed record Snapshot(ImmutableSortedDictionary<string, ModelEntry> Models, string? ActiveId);

    /// <summary>What a synchronisation read: the ids of the rows, the stored active choice, and the rows it had to load.</summary>
    private sealed record DatabaseState(HashSet<string> Ids, string? StoredActive, List<ModelEntry> Loaded);

    [GeneratedRegex(ModelIds.Pattern)]
    private static partial Regex IdPattern();
}
