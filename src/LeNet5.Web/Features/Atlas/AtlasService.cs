using System.Collections.Concurrent;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using LeNet5.Core.Atlas;
using LeNet5.Web.Features.Training;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Net.Http.Headers;

namespace LeNet5.Web.Features.Atlas;

/// <summary>
/// One model's atlas, ready to answer: the map (to place new inputs) and its answer's body, kept
/// as JSON and compressed once with Brotli and gzip, since 10,000 points are sent far more often than fitted.
/// </summary>
public sealed class ModelAtlas(DigitAtlas map, byte[] json)
{
    public DigitAtlas Map { get; } = map;
    public byte[] Json { get; } = json;
    public byte[] Brotli { get; } = Compress(json, s => new BrotliStream(s, CompressionLevel.SmallestSize));
    public byte[] Gzip { get; } = Compress(json, s => new GZipStream(s, CompressionLevel.SmallestSize));
    public EntityTagHeaderValue ETag { get; } = new($"\"{Convert.ToHexStringLower(SHA256.HashData(json).AsSpan(0, 12))}\"");

    private static byte[] Compress(byte[] bytes, Func<Stream, Stream> wrap)
    {
        using var output = new MemoryStream();
        using (var compressor = wrap(output)) compressor.Write(bytes);
        return output.ToArray();
    }
}

/// <summary>
/// Each model's atlas of the MNIST test digits: fitted on first request (seconds: forward passes,
/// exact neighbours, UMAP), stored with the model in the shared store so every replica and restart
/// after that only runs the forward passes again, and kept in memory for the few models last asked
/// about. Requests that ask while it is being fitted share the fit. A fit runs on one thread of its
/// own at heavy work's lower priority, one model at a time: it is done once per model, so it takes no
/// turn from visitors' explanations and dreams, and yields the CPU to plain predictions.
/// </summary>
public sealed class AtlasService(MnistSource mnist, AtlasStore store, IOptions<HeavyWorkOptions> heavy, ILogger<AtlasService> logger) : IDisposable
{
    private readonly LowPriorityScheduler _fitter = new(threads: 1, heavy.Value.Nice, "atlas");

    // a kept atlas holds its digits' features (10,000 x 84 floats) and its answer: about 5 MB
    private const int KeptAtlases = 4;

    /// <summary>How the map is made, in every answer and in the stored fingerprint: a change of recipe fits again.</summary>
    public static readonly string Projection = $"UMAP of the head's inputs (k={Umap.Neighbours}, {Umap.Epochs} epochs, seed {DigitAtlas.Seed})";

    private readonly MemoryCache _kept = new(new MemoryCacheOptions { SizeLimit = KeptAtlases });
    private readonly ConcurrentDictionary<ModelEntry, Lazy<Task<ModelAtlas>>> _fitting = new();

    /// <summary>The atlas of <paramref name="entry"/>'s model: kept, being fitted, or fitted now.</summary>
    public Task<ModelAtlas> GetAsync(ModelEntry entry, CancellationToken cancellationToken)
    {
        if (_kept.TryGetValue(entry, out ModelAtlas? kept)) return Task.FromResult(kept!);
        var fitting = _fitting.GetOrAdd(entry, e => new Lazy<Task<ModelAtlas>>(() => Task.Run(() => FitAsync(e))));
        return fitting.Value.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Where an input with these head features lands on its model's atlas, when that atlas is ready;
    /// otherwise null, and the atlas starts fitting so that a later answer has it.
    /// </summary>
    public AtlasPlace? TryPlace(ModelEntry entry, ReadOnlySpan<float> features)
    {
        if (!_kept.TryGetValue(entry, out ModelAtlas? atlas))
        {
            _ = GetAsync(entry, CancellationToken.None).ContinueWith(t => logger.LogWarning(t.Exception, "The atlas of {Model} could not be fitted", entry.Id),
                TaskContinuationOptions.OnlyOnFaulted);
            return null;
        }
        var (x, y) = atlas!.Map.Place(features);
        return new AtlasPlace(Round(x), Round(y));
    }

    private async Task<ModelAtlas> FitAsync(ModelEntry entry)
    {
        try
        {
            var atlas = await Task.Factory.StartNew(() => Fit(entry), CancellationToken.None, TaskCreationOptions.None, _fitter);
            _kept.Set(entry, atlas, new MemoryCacheEntryOptions { Size = 1 });
            return atlas;
        }
        finally
        {
            _fitting.TryRemove(entry, out _);
        }
    }

    private ModelAtlas Fit(ModelEntry entry)
    {
        MnistSplit test;
        try
        {
            test = mnist.Load().Test;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or HttpRequestException or InvalidOperationException)
        {
            throw AtlasProblems.NoTestDigits(ex.Message);
        }
        string fingerprint = Fingerprint(entry);
        const int threads = 1; // the fitter's own thread
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        DigitAtlas map;
        if (store.Find(entry.Id, fingerprint) is { } stored && stored.Length == 2 * test.Count)
        {
            map = DigitAtlas.Restore(entry.Model, test, stored, threads);
            logger.LogInformation("Atlas of {Model} restored from the store in {Seconds:F2} s", entry.Id, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        else
        {
            map = DigitAtlas.Fit(entry.Model, test, threads);
            store.Save(entry.Id, fingerprint, map.Embedding);
            logger.LogInformation("Atlas of {Model} fitted in {Seconds:F2} s", entry.Id, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        var points = new AtlasPoint[map.Count];
        for (int i = 0; i < points.Length; i++)
            points[i] = new AtlasPoint(i, map.Labels[i], map.Predictions[i], Round(map.Embedding[2 * i]), Round(map.Embedding[2 * i + 1]));
        var features = entry.Model.Network.Layers[^1].Name;
        var json = JsonSerializer.SerializeToUtf8Bytes(new AtlasResponse(entry.Id, features, Projection, points), WebJson.Options);
        return new ModelAtlas(map, json);
    }

    // the model's bytes and the recipe: the same id with other weights, or another recipe, is another map
    private static string Fingerprint(ModelEntry entry)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(entry.FileBytes.Span);
        hash.AppendData(Encoding.UTF8.GetBytes(Projection));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    // the map spans about 20 units: hundredths are finer than any screen shows, and keep the answer small
    private static float Round(float v) => MathF.Round(v, 2);

    public void Dispose()
    {
        _kept.Dispose();
        _fitter.Dispose();
    }
}
