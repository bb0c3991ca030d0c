using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace LeNet5.Web.Features.Models;

/// <summary>One answer derived from a model, as the bytes sent and their entity tag.</summary>
public sealed class ModelAnswer(byte[] bytes)
{
    public byte[] Bytes { get; } = bytes;

    /// <summary>A strong tag of the bytes themselves (a SHA-256 prefix): equal tags, equal bytes, across restarts too.</summary>
    public EntityTagHeaderValue ETag { get; } = new($"\"{Convert.ToBase64String(SHA256.HashData(bytes).AsSpan(0, 16)).TrimEnd('=').Replace('+', '-').Replace('/', '_')}\"");

    /// <summary>The answer as a response that honours If-None-Match (304) and carries the ETag.</summary>
    public FileContentHttpResult ToResult(string contentType, string? fileName = null, DateTimeOffset? lastModified = null) =>
        TypedResults.Bytes(Bytes, contentType, fileName, lastModified: lastModified, entityTag: ETag);
}

/// <summary>
/// The answers derived from a loaded model (its ONNX file, its parameters as JSON, its dreams): a
/// model never changes once loaded (a file loaded again is a new <see cref="ModelEntry"/>), so each
/// is computed once, in a turn of the heavy-work cap, shared by the requests that ask while it is
/// computed, and kept. What is kept is bounded by Models:AnswerCacheMegabytes (the least recently
/// used go first), and a deleted model's answers are dropped with it.
/// </summary>
public sealed class ModelAnswers(IOptions<ModelOptions> options, HeavyWork heavy) : IDisposable
{
    private readonly MemoryCache _kept = new(new MemoryCacheOptions { SizeLimit = options.Value.AnswerCacheMegabytes * 1024L * 1024 });
    private readonly ConcurrentDictionary<(ModelEntry Entry, string Name), Lazy<Task<ModelAnswer>>> _computing = new();
    private readonly ConditionalWeakTable<ModelEntry, CancellationTokenSource> _lifetimes = [];

    /// <summary>
    /// The answer <paramref name="name"/> of this model: kept, being computed, or computed now with
    /// <paramref name="compute"/>. One client that goes does not stop a computation others wait for.
    /// </summary>
    public async Task<ModelAnswer> GetAsync(ModelEntry entry, string name, Func<byte[]> compute, CancellationToken cancellationToken)
    {
        var key = (entry, name);
        if (_kept.TryGetValue(key, out ModelAnswer? kept)) return kept!;
        // started on the pool, so that the task is there at once for the requests that come while it computes
        var computing = _computing.GetOrAdd(key, k => new Lazy<Task<ModelAnswer>>(() => Task.Run(() => ComputeAsync(k, compute))));
        return await computing.Value.WaitAsync(cancellationToken);
    }

    /// <summary>Drops a deleted model's answers.</summary>
    public void Forget(ModelEntry entry)
    {
        if (_lifetimes.TryGetValue(entry, out var lifetime)) lifetime.Cancel();
    }

    private async Task<ModelAnswer> ComputeAsync((ModelEntry Entry, string Name) key, Func<byte[]> compute)
    {
        try
        {
            var answer = new ModelAnswer(await heavy.RunAsync(compute, CancellationToken.None));
            var lifetime = _lifetimes.GetValue(key.Entry, _ => new CancellationTokenSource());
            _kept.Set(key, answer, new MemoryCacheEntryOptions
            {
                Size = answer.Bytes.Length,
                ExpirationTokens = { new CancellationChangeToken(lifetime.Token) },
            });
            return answer;
        }
        finally
        {
            _computing.TryRemove(key, out _);
        }
    }

    public void Dispose() => _kept.Dispose();
}
