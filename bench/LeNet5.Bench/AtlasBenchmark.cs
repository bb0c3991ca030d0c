using System.Diagnostics;
using LeNet5.Core.Atlas;
using LeNet5.Core.Data;
using LeNet5.Core.Models;

namespace LeNet5.Bench;

/// <summary>
/// The atlas of each shipped model, as the web app makes it (one thread): the time to fit the map of
/// the 10,000 test digits (the goal: at most 10 s), how often the five test digits nearest a placed
/// drawing share its label (the goal: at least 90%; the drawings are MNIST training digits, which are
/// not on the map, placed as a drawing is), the same for each test digit among the others, and the
/// time to place one input.
/// </summary>
public static class AtlasBenchmark
{
    private const int Placed = 2000, Neighbours = 5;

    public static IEnumerable<BenchmarkRow> Run(MnistDataset data)
    {
        foreach (var shipped in ShippedModels.List())
        {
            var model = ModelFile.Load(shipped.Path);
            long started = Stopwatch.GetTimestamp();
            var atlas = DigitAtlas.Fit(model, data.Test, threads: 1);
            double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            yield return new BenchmarkRow($"atlas fit {shipped.Name}", seconds, "s", "forward passes, exact 15 nearest neighbours, UMAP; one thread");

            var held = data.Train.Take(Placed);
            var features = HeadFeatures.Compute(model.Network, model.Parameters, held, threads: 1);
            var times = new double[held.Count];
            int agree = 0;
            for (int i = 0; i < held.Count; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                var (x, y) = atlas.Place(features.Of(i));
                times[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
                if (Shares(atlas, atlas.NearestOnMap(x, y, Neighbours), held.Labels[i])) agree++;
            }
            yield return new BenchmarkRow($"atlas placed {shipped.Name}", 100.0 * agree / held.Count, "%",
                $"of {Placed} training digits placed as drawings, the {Neighbours} nearest test digits are mostly of its label");

            int among = 0;
            for (int i = 0; i < atlas.Count; i++)
                if (Shares(atlas, atlas.NearestOnMap(atlas.Embedding[2 * i], atlas.Embedding[2 * i + 1], Neighbours, skip: i), atlas.Labels[i])) among++;
            yield return new BenchmarkRow($"atlas test {shipped.Name}", 100.0 * among / atlas.Count, "%",
                $"of the test digits, the {Neighbours} nearest others on the map are mostly of its label");
            Array.Sort(times);
            yield return new BenchmarkRow($"atlas place {shipped.Name}", times[times.Length / 2], "us", "p50 of placing one input's features");
        }
    }

    private static bool Shares(DigitAtlas atlas, int[] nearest, byte label) => nearest.Count(j => atlas.Labels[j] == label) > nearest.Length / 2;
}
