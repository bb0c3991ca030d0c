using System.Collections.Immutable;
using System.Text.RegularExpressions;
using LeNet5.Core.Models;
using LeNet5.Web.Data;
using LeNet5.Web.Options;
using Microsoft.Extensions.Options;

namespace LeNet5.Web.Models;

/// <summary>
/// Every model of the models folder (the shipped ones) and of the trained-models folder
/// (<c>{Data:Directory}/models</c>, where training writes), loaded at start-up, and which one is active. Readers take one
/// immutable snapshot; changes build a new snapshot and swap it in atomically, so a request never sees
/// a half-updated registry.
/// </summary>
public sealed partial class ModelRegistry
{
    public const string FileExtension = ".safetensors";

    private readonly object _writeLock = new();
    private readonly ILogger<ModelRegistry> _logger;
    private readonly TimeProvider _time;
    private volatile Snapshot _snapshot = new(ImmutableSortedDictionary<string, ModelEntry>.Empty.WithComparers(StringComparer.Ordinal), null);

    public ModelRegistry(IOptions<ModelOptions> options, IOptions<DataOptions> data, IHostEnvironment environment, ILogger<ModelRegistry> logger, TimeProvider time)
    {
        _logger = logger;
        _time = time;
        DirectoryPath = options.Value.ResolveDirectory(environment.ContentRootPath);
        TrainedDirectoryPath = Path.Combine(data.Value.ResolveDirectory(environment.ContentRootPath), "models");
        DefaultId = options.Value.Default;
        LoadDirectories();
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
    /// id; makes it the active one when asked. Throws <see cref="ModelFormatException"/> for a bad file,
    /// leaving the registry as it was.
    /// </summary>
    public ModelEntry Load(string path, bool activate = false)
    {
        var entry = Read(path);
        lock (_writeLock)
        {
            var s = _snapshot;
            _snapshot = new Snapshot(s.Models.SetItem(entry.Id, entry), activate || s.ActiveId is null ? entry.Id : s.ActiveId);
        }
        LogLoaded(entry.Id, entry.Model.Architecture.ToString(), entry.Path);
        return entry;
    }

    /// <summary>
    /// Makes the model with this id the active one and returns it; null when there is no such model.
    /// <paramref name="persist"/> (say, writing the choice to the database) runs under the same lock, before
    /// the switch: no delete can slip in between, and if it throws nothing changes.
    /// </summary>
    public ModelEntry? SetActive(string id, Action<string>? persist = null)
    {
        ModelEntry? entry;
        lock (_writeLock)
        {
            var s = _snapshot;
            if (!s.Models.TryGetValue(id, out entry)) return null;
            persist?.Invoke(id);
            _snapshot = s with { ActiveId = id };
        }
        LogActivated(id);
        return entry;
    }

    /// <summary>
    /// Deletes a model's file and then takes it out of the registry. The active model cannot be removed
    /// (<see cref="RemoveOutcome.Active"/>); requests already holding it finish with it. When the file
    /// cannot be deleted the model stays loaded (<see cref="RemoveOutcome.Failed"/>, with the reason).
    /// </summary>
    public RemoveOutcome Remove(string id, out string? error)
    {
        error = null;
        ModelEntry? removed;
        lock (_writeLock)
        {
            var s = _snapshot;
            if (!s.Models.TryGetValue(id, out removed)) return RemoveOutcome.NotFound;
            if (s.ActiveId == id) return RemoveOutcome.Active;
            try
            {
                File.Delete(removed.Path); // first: a file that stays must not leave a model the registry forgot
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                error = ex.Message;
                LogDeleteFailed(ex, id, removed.Path);
                return RemoveOutcome.Failed;
            }
            _snapshot = s with { Models = s.Models.Remove(id) };
        }
        LogRemoved(id, removed.Path);
        return RemoveOutcome.Removed;
    }

    private void LoadDirectories()
    {
        bool any = LoadDirectory(DirectoryPath, warnIfMissing: true);
        if (!string.Equals(Path.GetFullPath(TrainedDirectoryPath), Path.GetFullPath(DirectoryPath), StringComparison.Ordinal))
            any |= LoadDirectory(TrainedDirectoryPath, warnIfMissing: false);
        if (any && SetActive(DefaultId) is null && Active is { } fallback)
            LogDefaultMissing(DefaultId, fallback.Id);
    }

    private bool LoadDirectory(string directory, bool warnIfMissing)
    {
        if (!Directory.Exists(directory))
        {
            if (warnIfMissing) LogNoDirectory(directory);
            return false;
        }
        foreach (var file in Directory.EnumerateFiles(directory, "*" + FileExtension).Order(StringComparer.Ordinal))
        {
            try
            {
                Load(file);
            }
            catch (ModelFormatException ex)
            {
                LogSkipped(file, ex.Message);
            }
        }
        return true;
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
        var model = LeNet5Model.FromBytes(bytes, path, out _);
        return new ModelEntry(id, Path.GetFullPath(path), model, bytes, _time.GetUtcNow());
    }

    private sealed record Snapshot(ImmutableSortedDictionary<string, ModelEntry> Models, string? ActiveId);

    [GeneratedRegex(ModelIds.Pattern)]
    private static partial Regex IdPattern();

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded model {ModelId} ({Architecture}) from {Path}")]
    private partial void LogLoaded(string modelId, string architecture, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Active model is now {ModelId}")]
    private partial void LogActivated(string modelId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed model {ModelId} and deleted {Path}")]
    private partial void LogRemoved(string modelId, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not delete model {ModelId} ({Path}); it stays loaded")]
    private partial void LogDeleteFailed(Exception exception, string modelId, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped {Path}: {Reason}")]
    private partial void LogSkipped(string path, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The models folder {Directory} does not exist; no model is loaded")]
    private partial void LogNoDirectory(string directory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The default model {DefaultId} is not in the models folder; {ModelId} is active instead")]
    private partial void LogDefaultMissing(string defaultId, string modelId);
}

/// <summary>What <see cref="ModelRegistry.Remove"/> did.</summary>
public enum RemoveOutcome { Removed, NotFound, Active, Failed }
