using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace LeNet5.Web.Features.Models;

/// <summary>
/// Every model of the models folder (the shipped ones) and of the trained-models folder
/// (<c>{Data:Directory}/models</c>, where training writes), loaded at start-up, and the one owner of
/// which model is active: the one an admin activated last (kept in the database), else Models:Default,
/// else the first. Readers take one immutable snapshot; changes build a new snapshot and swap it in
/// atomically, so a request never sees a half-updated registry.
/// </summary>
public sealed partial class ModelRegistry
{
    public const string FileExtension = ".safetensors";

    private readonly object _writeLock = new();
    private readonly ILogger<ModelRegistry> _logger;
    private readonly TimeProvider _time;
    private readonly ActiveModelStore _activeStore;
    private volatile Snapshot _snapshot = new(ImmutableSortedDictionary<string, ModelEntry>.Empty.WithComparers(StringComparer.Ordinal), null);

    public ModelRegistry(IOptions<ModelOptions> options, Database database, ActiveModelStore activeStore, IHostEnvironment environment,
        ILogger<ModelRegistry> logger, TimeProvider time)
    {
        _logger = logger;
        _time = time;
        _activeStore = activeStore;
        DirectoryPath = options.Value.ResolveDirectory(environment.ContentRootPath);
        TrainedDirectoryPath = Path.Combine(database.DirectoryPath, "models");
        DefaultId = options.Value.Default;
        LoadDirectories();
        ChooseActive();
        _logger.LogInformation("{Count} model(s) in {Directory} and the trained-models folder; active: {Active}", _snapshot.Models.Count, DirectoryPath, Active?.Id ?? "none");
    }

    /// <summary>The folder of the shipped models (Models:Directory).</summary>
    public string DirectoryPath { get; }

    /// <summary>
    /// The folder trained models are written to, <c>{Data:Directory}/models</c>: beside the database, so a
    /// clean build never loses them. Their ids (<c>run-ID-ARCH</c>) cannot collide with the shipped ones.
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
    /// Reads (or re-reads) a model file and adds it under its file name, replacing a model of the same
    /// id (a first model becomes the active one until another is chosen). Throws
    /// <see cref="ModelFormatException"/> for a bad file, leaving the registry as it was.
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
    /// Makes the model with this id the active one, for every request from now on and after restarts,
    /// and returns it; null when there is no such model. The choice is written to the database under
    /// the same lock, before the switch: no delete can slip in between, and if the write fails nothing changes.
    /// </summary>
    public ModelEntry? Activate(string id)
    {
        ModelEntry? entry;
        lock (_writeLock)
        {
            var s = _snapshot;
            if (!s.Models.TryGetValue(id, out entry)) return null;
            _activeStore.Set(id);
            _snapshot = s with { ActiveId = id };
        }
        _logger.LogInformation("Active model is now {ModelId}", id);
        return entry;
    }

    /// <summary>
    /// Deletes a model's file and then takes it out of the registry; returns the removed model. The active
    /// model cannot be removed (a conflict); requests already holding it finish with it. When the file
    /// cannot be deleted the model stays loaded (a server error, with the reason).
    /// </summary>
    public ModelEntry Remove(string id)
    {
        ModelEntry? removed;
        lock (_writeLock)
        {
            var s = _snapshot;
            if (!s.Models.TryGetValue(id, out removed)) throw ModelProblems.UnknownModel(id);
            if (s.ActiveId == id) throw ModelProblems.ActiveModelKept(id);
            try
            {
                File.Delete(removed.Path); // first: a file that stays must not leave a model the registry forgot
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _logger.LogError(ex, "Could not delete model {ModelId} ({Path}); it stays loaded", id, removed.Path);
                throw ModelProblems.ModelFileKept(id, ex.Message);
            }
            _snapshot = s with { Models = s.Models.Remove(id) };
        }
        _logger.LogInformation("Removed model {ModelId} and deleted {Path}", id, removed.Path);
        return removed;
    }

    private void LoadDirectories()
    {
        LoadDirectory(DirectoryPath, warnIfMissing: true);
        if (!string.Equals(Path.GetFullPath(TrainedDirectoryPath), Path.GetFullPath(DirectoryPath), StringComparison.Ordinal))
            LoadDirectory(TrainedDirectoryPath, warnIfMissing: false);
    }

    /// <summary>At start-up: the model an admin activated, while it exists; else Models:Default; else the first (alphabetically).</summary>
    private void ChooseActive()
    {
        var s = _snapshot;
        if (s.Models.IsEmpty) return;
        string id;
        if (_activeStore.Get() is { } stored && s.Models.ContainsKey(stored))
        {
            id = stored;
            _logger.LogInformation("Active model {ModelId} restored from the database", id);
        }
        else
        {
            id = s.Models.ContainsKey(DefaultId) ? DefaultId : s.Models.Keys.First();
            if (_activeStore.Get() is { } gone) _logger.LogWarning("The stored active model {ModelId} no longer exists; {Fallback} answers (Models:Default, or the first model)", gone, id);
            else if (id != DefaultId) _logger.LogWarning("The default model {DefaultId} is not in the models folder; {ModelId} is active instead", DefaultId, id);
        }
        _snapshot = s with { ActiveId = id };
    }

    private void LoadDirectory(string directory, bool warnIfMissing)
    {
        if (SafeTensors.SweepLeftovers(directory) is > 0 and var swept)
            _logger.LogWarning("Deleted {Count} temporary file(s) an interrupted write left in {Directory}", swept, directory);
        if (!Directory.Exists(directory))
        {
            if (warnIfMissing) _logger.LogWarning("The models folder {Directory} does not exist; no model is loaded", directory);
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

    private sealed record Snapshot(ImmutableSortedDictionary<string, ModelEntry> Models, string? ActiveId);

    [GeneratedRegex(ModelIds.Pattern)]
    private static partial Regex IdPattern();
}
