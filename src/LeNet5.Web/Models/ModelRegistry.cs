using System.Collections.Immutable;
using System.Text.RegularExpressions;
using LeNet5.Core.Models;
using LeNet5.Web.Options;
using Microsoft.Extensions.Options;

namespace LeNet5.Web.Models;

/// <summary>
/// Every model of the models folder, loaded at start-up, and which one is active. Readers take one
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

    public ModelRegistry(IOptions<ModelOptions> options, IHostEnvironment environment, ILogger<ModelRegistry> logger, TimeProvider time)
    {
        _logger = logger;
        _time = time;
        DirectoryPath = options.Value.ResolveDirectory(environment.ContentRootPath);
        LoadDirectory(options.Value.Default);
    }

    /// <summary>The folder the models were read from.</summary>
    public string DirectoryPath { get; }

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

    /// <summary>Makes the model with this id the active one; false when there is no such model.</summary>
    public bool SetActive(string id)
    {
        lock (_writeLock)
        {
            var s = _snapshot;
            if (!s.Models.ContainsKey(id)) return false;
            _snapshot = s with { ActiveId = id };
        }
        LogActivated(id);
        return true;
    }

    /// <summary>
    /// Takes a model out of the registry and deletes its file. The active model cannot be removed
    /// (<see cref="RemoveOutcome.Active"/>); requests already holding it finish with it.
    /// </summary>
    public RemoveOutcome Remove(string id)
    {
        ModelEntry? removed;
        lock (_writeLock)
        {
            var s = _snapshot;
            if (!s.Models.TryGetValue(id, out removed)) return RemoveOutcome.NotFound;
            if (s.ActiveId == id) return RemoveOutcome.Active;
            _snapshot = s with { Models = s.Models.Remove(id) };
        }
        File.Delete(removed.Path);
        LogRemoved(id, removed.Path);
        return RemoveOutcome.Removed;
    }

    private void LoadDirectory(string defaultId)
    {
        if (!Directory.Exists(DirectoryPath))
        {
            LogNoDirectory(DirectoryPath);
            return;
        }
        foreach (var file in Directory.EnumerateFiles(DirectoryPath, "*" + FileExtension).Order(StringComparer.Ordinal))
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
        if (!SetActive(defaultId) && Active is { } fallback)
            LogDefaultMissing(defaultId, fallback.Id);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped {Path}: {Reason}")]
    private partial void LogSkipped(string path, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The models folder {Directory} does not exist; no model is loaded")]
    private partial void LogNoDirectory(string directory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The default model {DefaultId} is not in the models folder; {ModelId} is active instead")]
    private partial void LogDefaultMissing(string defaultId, string modelId);
}

/// <summary>What <see cref="ModelRegistry.Remove"/> did.</summary>
public enum RemoveOutcome { Removed, NotFound, Active }
