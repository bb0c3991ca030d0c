using LeNet5.Core.Atlas;
using LeNet5.Core.Models;
using LeNet5.Core.Training;

namespace LeNet5.Core.Tests;

/// <summary>The atlas: exact neighbours, UMAP's layout keeping neighbourhoods, and the shipped model's map of MNIST.</summary>
public sealed class AtlasTests
{
    [Fact]
    public void NearestNeighboursAreThePlainSearchsNearest()
    {
        const int count = 300, dims = 13, k = 7;
        var points = RandomPoints(count, dims, new Random(3));
        var (indices, distances) = NearestNeighbours.AmongThemselves(points, count, dims, k, threads: 2);
        for (int i = 0; i < count; i++)
        {
            var plain = Enumerable.Range(0, count).Where(j => j != i)
                .Select(j => (J: j, D: Math.Sqrt(Enumerable.Range(0, dims).Sum(d => Math.Pow(points[i * dims + d] - points[j * dims + d], 2)))))
                .OrderBy(p => p.D).Take(k).ToArray();
            Assert.Equal(plain.Select(p => p.J), indices.AsSpan(i * k, k).ToArray());
            for (int n = 0; n < k; n++) Assert.Equal(plain[n].D, distances[i * k + n], tolerance: 1e-4);
        }
    }

    [Fact]
    public void TheLayoutKeepsSeparateClustersApartAndIsTheSameForASeed()
    {
        var (points, cluster) = Clusters(perCluster: 120, clusters: 5, dims: 16, new Random(11));
        int count = cluster.Length;
        var map = Umap.Fit(points, count, 16, seed: 4, threads: 2);
        Assert.Equal(map, Umap.Fit(points, count, 16, seed: 4, threads: 2));
        var atlas = new DigitAtlas(new HeadFeatures(count, 16, points, cluster), [.. cluster.Select(c => (byte)c)], map);
        for (int i = 0; i < count; i++)
        {
            var near = atlas.NearestOnMap(map[2 * i], map[2 * i + 1], 5, skip: i);
            Assert.All(near, j => Assert.Equal(cluster[i], cluster[j]));
        }
    }

    [Fact]
    public void ANewPointLandsAmongItsOwnCluster()
    {
        var random = new Random(12);
        var (points, cluster) = Clusters(perCluster: 100, clusters: 4, dims: 10, random);
        int count = cluster.Length;
        var atlas = new DigitAtlas(new HeadFeatures(count, 10, points, cluster), [.. cluster.Select(c => (byte)c)],
            Umap.Fit(points, count, 10, seed: 1, threads: 2));
        for (int c = 0; c < 4; c++)
        {
            var query = Centre(c, 10).Select(v => v + (float)(random.NextDouble() - 0.5)).ToArray();
            var (x, y) = atlas.Place(query);
            Assert.All(atlas.NearestOnMap(x, y, 5), j => Assert.Equal(c, cluster[j]));
        }
    }

    [Fact]
    public void TheShippedModelsMapOfTheTestDigitsKeepsLabelsTogetherForDigitsItNeverSaw()
    {
        var model = ModelFile.Load(RepoPaths.ShippedModel);
        var atlas = DigitAtlas.Fit(model, TestMnist.Test, threads: 2);
        Assert.Equal(Evaluator.Evaluate(model.Network, model.Parameters, TestMnist.Test, 2).Predictions, atlas.Predictions);

        // training digits are not on the map: placed like a drawing, five nearest test digits vote
        var held = TestMnist.Load().Train.Take(2000);
        var features = HeadFeatures.Compute(model.Network, model.Parameters, held, 2);
        int agree = 0;
        for (int i = 0; i < held.Count; i++)
        {
            var (x, y) = atlas.Place(features.Of(i));
            if (atlas.NearestOnMap(x, y, 5).Count(j => atlas.Labels[j] == held.Labels[i]) >= 3) agree++;
        }
        Assert.True(agree >= 0.9 * held.Count, $"the five nearest share the label for {agree} of {held.Count} digits");
    }

    private static float[] RandomPoints(int count, int dims, Random random) =>
        [.. Enumerable.Range(0, count * dims).Select(_ => (float)random.NextDouble())];

    private static float[] Centre(int cluster, int dims) => [.. Enumerable.Range(0, dims).Select(d => d % 4 == cluster % 4 ? 10f * (1 + cluster / 4) : 0f)];

    private static (float[] Points, int[] Cluster) Clusters(int perCluster, int clusters, int dims, Random random)
    {
        var points = new List<float>();
        var labels = new List<int>();
        for (int c = 0; c < clusters; c++)
            for (int i = 0; i < perCluster; i++)
            {
                points.AddRange(Centre(c, dims).Select(v => v + (float)(random.NextDouble() - 0.5)));
                labels.Add(c);
            }
        return ([.. points], [.. labels]);
    }
}
