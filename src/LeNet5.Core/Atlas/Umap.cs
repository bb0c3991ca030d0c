namespace LeNet5.Core.Atlas;

/// <summary>
/// UMAP (McInnes, Healy and Melville 2018, "UMAP: Uniform Manifold Approximation and Projection"):
/// a 2-D layout whose near neighbours are the points' near neighbours in feature space. Step by step
/// as the paper's Algorithms 1-5: a k-nearest-neighbour graph, each point's fuzzy memberships
/// scaled by its own neighbourhood, symmetrised by fuzzy union, then a layout pulled along the
/// graph's edges and pushed from random others by stochastic gradient descent. Deterministic for a
/// seed: the neighbours are exact and the descent runs on one thread.
/// </summary>
public static class Umap
{
    /// <summary>The neighbourhood of a point: 15 is the paper's default, local enough to keep MNIST's classes apart.</summary>
    public const int Neighbours = 15;

    /// <summary>
    /// Passes over the graph: the reference implementation takes 200 for large sets and 500 up to
    /// 10,000 points; on the MNIST test digits 200 gave the same neighbour agreement in half the time.
    /// </summary>
    public const int Epochs = 200;

    // the curve 1 / (1 + a d^2b) fitted to min_dist = 0.1, spread = 1 (the paper's defaults, section 4.2)
    private const float A = 1.577f, B = 0.8951f;
    private const int NegativeSamples = 5;
    private const float GradientClip = 4f;

    /// <summary>
    /// The 2-D place of each of <paramref name="count"/> points of <paramref name="dims"/> features:
    /// x and y per point, in roughly [0, 10] after the layout settles.
    /// </summary>
    public static float[] Fit(float[] points, int count, int dims, int seed, int threads)
    {
        var (neighbours, distances) = NearestNeighbours.AmongThemselves(points, count, dims, Neighbours, threads);
        var edges = FuzzyGraph(neighbours, distances, count);
        var embedding = PrincipalPlane(points, count, dims);
        Layout(embedding, count, edges, seed);
        return embedding;
    }

    /// <summary>
    /// Where a new point goes on a fitted map: the membership-weighted mean of its neighbours'
    /// places, as the reference implementation starts a transform. The map does not move.
    /// </summary>
    public static (float X, float Y) Place(ReadOnlySpan<float> query, float[] points, float[] squaredNorms, int count, int dims, float[] embedding)
    {
        Span<int> near = stackalloc int[Neighbours];
        Span<float> distance = stackalloc float[Neighbours];
        NearestNeighbours.Of(query, points, squaredNorms, count, dims, near, distance);
        var (rho, sigma) = Bandwidth(distance);
        double x = 0, y = 0, total = 0;
        for (int i = 0; i < Neighbours; i++)
        {
            double w = Membership(distance[i], rho, sigma);
            x += w * embedding[2 * near[i]];
            y += w * embedding[2 * near[i] + 1];
            total += w;
        }
        return ((float)(x / total), (float)(y / total));
    }

    // Algorithm 3 (SmoothKNNDist): rho is the distance to the nearest neighbour (every point is
    // connected to at least one other); sigma makes the memberships sum to log2(k)
    private static (float Rho, float Sigma) Bandwidth(ReadOnlySpan<float> distances)
    {
        float rho = 0;
        foreach (float d in distances) if (d > 0) { rho = d; break; }
        double target = Math.Log2(distances.Length), lo = 0, hi = double.PositiveInfinity, sigma = 1;
        for (int iteration = 0; iteration < 64; iteration++)
        {
            double sum = 0;
            foreach (float d in distances) sum += Math.Exp(-Math.Max(0, d - rho) / sigma);
            if (Math.Abs(sum - target) < 1e-5) break;
            if (sum > target) { hi = sigma; sigma = (lo + hi) / 2; }
            else { lo = sigma; sigma = double.IsPositiveInfinity(hi) ? sigma * 2 : (lo + hi) / 2; }
        }
        // a floor, so a point among duplicates does not get a zero bandwidth
        double mean = 0;
        foreach (float d in distances) mean += d;
        mean /= distances.Length;
        return (rho, (float)Math.Max(sigma, 1e-3 * mean));
    }

    private static double Membership(float distance, float rho, float sigma) => Math.Exp(-Math.Max(0, distance - rho) / sigma);

    private readonly record struct Edge(int From, int To, float Weight);

    // Algorithm 2 (FuzzySimplicialSet) and the fuzzy union w + w' - w w' of the two directions
    private static Edge[] FuzzyGraph(int[] neighbours, float[] distances, int count)
    {
        int k = Neighbours;
        var directed = new Dictionary<long, float>(count * k);
        for (int i = 0; i < count; i++)
        {
            var (rho, sigma) = Bandwidth(distances.AsSpan(i * k, k));
            for (int n = 0; n < k; n++)
                directed[(long)i * count + neighbours[i * k + n]] = (float)Membership(distances[i * k + n], rho, sigma);
        }
        var union = new List<Edge>(directed.Count * 2);
        foreach (var (key, w) in directed)
        {
            int i = (int)(key / count), j = (int)(key % count);
            bool reverse = directed.TryGetValue((long)j * count + i, out float wBack);
            if (reverse && j < i) continue; // the pair was taken from its other side
            float weight = w + wBack - w * wBack;
            union.Add(new Edge(i, j, weight));
            union.Add(new Edge(j, i, weight));
        }
        // edges too weak to be sampled once in all the epochs only cost time
        float floor = union.Max(e => e.Weight) / Epochs;
        return [.. union.Where(e => e.Weight >= floor).OrderBy(e => e.From).ThenBy(e => e.To)];
    }

    // the start: the features' first two principal axes, each scaled to [0, 10] (the reference's
    // scale), so the layout starts from the data's broad shape instead of from noise
    private static float[] PrincipalPlane(float[] points, int count, int dims)
    {
        var mean = new double[dims];
        for (int i = 0; i < count; i++)
            for (int d = 0; d < dims; d++) mean[d] += points[i * dims + d];
        for (int d = 0; d < dims; d++) mean[d] /= count;
        var covariance = new double[dims, dims];
        var centred = new double[dims];
        for (int i = 0; i < count; i++)
        {
            for (int d = 0; d < dims; d++) centred[d] = points[i * dims + d] - mean[d];
            for (int r = 0; r < dims; r++)
                for (int c = r; c < dims; c++) covariance[r, c] += centred[r] * centred[c];
        }
        for (int r = 0; r < dims; r++)
            for (int c = 0; c < r; c++) covariance[r, c] = covariance[c, r];
        var first = PowerIteration(covariance, dims, null);
        var second = PowerIteration(covariance, dims, first);
        var embedding = new float[count * 2];
        for (int i = 0; i < count; i++)
        {
            double x = 0, y = 0;
            for (int d = 0; d < dims; d++)
            {
                double v = points[i * dims + d] - mean[d];
                x += v * first[d];
                y += v * second[d];
            }
            embedding[2 * i] = (float)x;
            embedding[2 * i + 1] = (float)y;
        }
        for (int axis = 0; axis < 2; axis++)
        {
            float min = float.MaxValue, max = float.MinValue;
            for (int i = 0; i < count; i++) { min = MathF.Min(min, embedding[2 * i + axis]); max = MathF.Max(max, embedding[2 * i + axis]); }
            float scale = max > min ? 10 / (max - min) : 0;
            for (int i = 0; i < count; i++) embedding[2 * i + axis] = (embedding[2 * i + axis] - min) * scale;
        }
        return embedding;
    }

    // the dominant eigenvector of a symmetric matrix, orthogonal to `except` when given
    private static double[] PowerIteration(double[,] matrix, int dims, double[]? except)
    {
        var v = new double[dims];
        for (int d = 0; d < dims; d++) v[d] = 1 + d * 1e-3;
        var next = new double[dims];
        for (int iteration = 0; iteration < 500; iteration++)
        {
            if (except is not null)
            {
                double along = 0;
                for (int d = 0; d < dims; d++) along += v[d] * except[d];
                for (int d = 0; d < dims; d++) v[d] -= along * except[d];
            }
            double norm = 0;
            for (int r = 0; r < dims; r++)
            {
                double s = 0;
                for (int c = 0; c < dims; c++) s += matrix[r, c] * v[c];
                next[r] = s;
                norm += s * s;
            }
            norm = Math.Sqrt(norm);
            if (norm == 0) break;
            double change = 0;
            for (int d = 0; d < dims; d++) { double u = next[d] / norm; change += Math.Abs(u - v[d]); v[d] = u; }
            if (change < 1e-10) break;
        }
        return v;
    }

    // Algorithm 5 (OptimizeEmbedding): each edge is sampled in proportion to its weight; a sample
    // pulls its two ends together along the curve's attraction and pushes the first from a few
    // random points (the cross-entropy's repulsion, by negative sampling); the step shrinks linearly
    private static void Layout(float[] y, int count, Edge[] edges, int seed)
    {
        float strongest = edges.Max(e => e.Weight);
        var every = new float[edges.Length];      // epochs between two samples of an edge
        var nextSample = new float[edges.Length];
        var nextNegative = new float[edges.Length];
        for (int e = 0; e < edges.Length; e++)
        {
            every[e] = strongest / edges[e].Weight;
            nextSample[e] = every[e];
            nextNegative[e] = every[e] / NegativeSamples;
        }
        uint state = (uint)seed * 2654435761u | 1u;
        for (int epoch = 1; epoch <= Epochs; epoch++)
        {
            float alpha = 1f - (epoch - 1) / (float)Epochs;
            for (int e = 0; e < edges.Length; e++)
            {
                if (nextSample[e] > epoch) continue;
                int i = edges[e].From, j = edges[e].To;
                float dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
                float d2 = dx * dx + dy * dy;
                if (d2 > 0)
                {
                    // d/dy of log(1 / (1 + a d^2b)): -2ab d^2(b-1) / (1 + a d^2b)
                    float power = MathF.Pow(d2, B - 1);
                    float pull = -2 * A * B * power / (A * power * d2 + 1);
                    float gx = Math.Clamp(pull * dx, -GradientClip, GradientClip) * alpha;
                    float gy = Math.Clamp(pull * dy, -GradientClip, GradientClip) * alpha;
                    y[2 * i] += gx; y[2 * i + 1] += gy;
                    y[2 * j] -= gx; y[2 * j + 1] -= gy;
                }
                nextSample[e] += every[e];

                int negatives = (int)((epoch - nextNegative[e]) / (every[e] / NegativeSamples));
                for (int s = 0; s < negatives; s++)
                {
                    state ^= state << 13; state ^= state >> 17; state ^= state << 5; // xorshift32
                    int k = (int)(state % (uint)count);
                    if (k == i) continue;
                    dx = y[2 * i] - y[2 * k]; dy = y[2 * i + 1] - y[2 * k + 1];
                    d2 = dx * dx + dy * dy;
                    if (d2 > 0)
                    {
                        // d/dy of log(1 - 1 / (1 + a d^2b)): 2b / ((0.001 + d^2)(1 + a d^2b))
                        float push = 2 * B / ((0.001f + d2) * (A * MathF.Pow(d2, B) + 1));
                        y[2 * i] += Math.Clamp(push * dx, -GradientClip, GradientClip) * alpha;
                        y[2 * i + 1] += Math.Clamp(push * dy, -GradientClip, GradientClip) * alpha;
                    }
                    else
                    {
                        y[2 * i] += GradientClip * alpha;
                        y[2 * i + 1] += GradientClip * alpha;
                    }
                }
                nextNegative[e] += negatives * (every[e] / NegativeSamples);
            }
        }
    }
}
