using LeNet5.Core.Data;
using LeNet5.Core.Models;

namespace LeNet5.Core.Atlas;

/// <summary>
/// A model's map of a set of digits (the MNIST test digits): each digit placed in 2-D by UMAP of
/// the model's own head features, with its label and the model's answer. New inputs are placed
/// on the same map by their features, so a drawing moves among the digits the model sees it like.
/// </summary>
public sealed class DigitAtlas
{
    private readonly HeadFeatures _features;
    private readonly float[] _squaredNorms;

    public DigitAtlas(HeadFeatures features, byte[] labels, float[] embedding)
    {
        if (labels.Length != features.Count) throw new ArgumentException("one label per digit", nameof(labels));
        if (embedding.Length != 2 * features.Count) throw new ArgumentException("x and y per digit", nameof(embedding));
        _features = features;
        _squaredNorms = NearestNeighbours.SquaredNorms(features.Values, features.Count, features.Dimensions);
        Labels = labels;
        Embedding = embedding;
    }

    /// <summary>The seed of every atlas: the map of one model is the same on every machine that fits it.</summary>
    public const int Seed = 1998;

    public int Count => _features.Count;
    public int Dimensions => _features.Dimensions;
    public byte[] Labels { get; }
    public IReadOnlyList<int> Predictions => _features.Predictions;

    /// <summary>x and y of every digit, in order.</summary>
    public float[] Embedding { get; }

    /// <summary>Runs the model over <paramref name="digits"/> and fits their map.</summary>
    public static DigitAtlas Fit(LeNet5Model model, MnistSplit digits, int threads)
    {
        var features = Compute(model, digits, threads);
        return new DigitAtlas(features, digits.Labels, Umap.Fit(features.Values, features.Count, features.Dimensions, Seed, threads));
    }

    /// <summary>An atlas fitted before, from its stored <paramref name="embedding"/>: only the forward passes run again.</summary>
    public static DigitAtlas Restore(LeNet5Model model, MnistSplit digits, float[] embedding, int threads) =>
        new(Compute(model, digits, threads), digits.Labels, embedding);

    private static HeadFeatures Compute(LeNet5Model model, MnistSplit digits, int threads) =>
        HeadFeatures.Compute(model.Network, model.Parameters, model.Normalisation.Apply(digits), threads);

    /// <summary>Where an input whose head features are <paramref name="features"/> lands on this map.</summary>
    public (float X, float Y) Place(ReadOnlySpan<float> features)
    {
        if (features.Length != Dimensions) throw new ArgumentException($"expected {Dimensions} features", nameof(features));
        return Umap.Place(features, _features.Values, _squaredNorms, Count, Dimensions, Embedding);
    }

    /// <summary>The <paramref name="k"/> digits nearest (<paramref name="x"/>, <paramref name="y"/>) on the map, nearest first.</summary>
    public int[] NearestOnMap(float x, float y, int k, int skip = -1)
    {
        var best = new List<(float D, int I)>(k + 1);
        for (int i = 0; i < Count; i++)
        {
            if (i == skip) continue;
            float dx = Embedding[2 * i] - x, dy = Embedding[2 * i + 1] - y, d = dx * dx + dy * dy;
            if (best.Count == k && d >= best[^1].D) continue;
            int at = best.FindIndex(b => b.D > d);
            best.Insert(at < 0 ? best.Count : at, (d, i));
            if (best.Count > k) best.RemoveAt(k);
        }
        return [.. best.Select(b => b.I)];
    }
}
