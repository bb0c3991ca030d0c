using System.Numerics.Tensors;

namespace LeNet5.Core.Atlas;

/// <summary>
/// Exact k nearest neighbours by Euclidean distance, by brute force: for 10,000 points of 84
/// features that is 50 million dot products, under a second on two cores, and exact, so the map
/// never depends on an approximate index's luck.
/// </summary>
public static class NearestNeighbours
{
    /// <summary>
    /// For each of the <paramref name="count"/> points (rows of <paramref name="dims"/> floats), its
    /// <paramref name="k"/> nearest others, nearest first: indices and distances, k per point.
    /// </summary>
    public static (int[] Indices, float[] Distances) AmongThemselves(float[] points, int count, int dims, int k, int threads)
    {
        if (k >= count) throw new ArgumentOutOfRangeException(nameof(k), $"need more than {k} points, have {count}");
        var norms = SquaredNorms(points, count, dims);
        var indices = new int[count * k];
        var distances = new float[count * k];
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, i =>
            Search(points.AsSpan(i * dims, dims), norms[i], points, norms, count, dims, skip: i,
                indices.AsSpan(i * k, k), distances.AsSpan(i * k, k)));
        return (indices, distances);
    }

    /// <summary>The <paramref name="indices"/>.Length points of <paramref name="points"/> nearest <paramref name="query"/>, nearest first.</summary>
    public static void Of(ReadOnlySpan<float> query, float[] points, float[] squaredNorms, int count, int dims, Span<int> indices, Span<float> distances) =>
        Search(query, TensorPrimitives.Dot(query, query), points, squaredNorms, count, dims, skip: -1, indices, distances);

    public static float[] SquaredNorms(float[] points, int count, int dims)
    {
        var norms = new float[count];
        for (int i = 0; i < count; i++)
        {
            var row = points.AsSpan(i * dims, dims);
            norms[i] = TensorPrimitives.Dot(row, row);
        }
        return norms;
    }

    // |q - p|^2 = |q|^2 + |p|^2 - 2 q.p, keeping the k smallest in an insertion-sorted list
    private static void Search(ReadOnlySpan<float> query, float queryNorm, float[] points, float[] norms, int count, int dims, int skip,
        Span<int> indices, Span<float> distances)
    {
        int k = indices.Length, found = 0;
        for (int j = 0; j < count; j++)
        {
            if (j == skip) continue;
            float d2 = queryNorm + norms[j] - 2 * TensorPrimitives.Dot(query, points.AsSpan(j * dims, dims));
            if (found == k && d2 >= distances[k - 1]) continue;
            int at = found < k ? found++ : k - 1;
            while (at > 0 && distances[at - 1] > d2)
            {
                distances[at] = distances[at - 1];
                indices[at] = indices[at - 1];
                at--;
            }
            distances[at] = d2;
            indices[at] = j;
        }
        for (int i = 0; i < k; i++) distances[i] = MathF.Sqrt(MathF.Max(0, distances[i]));
    }
}
