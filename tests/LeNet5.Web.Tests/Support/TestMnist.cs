using LeNet5.Core.Data;

namespace LeNet5.Web.Tests.Support;

/// <summary>Real MNIST test digits, fetched once (SHA-256 verified) if the repository has none yet.</summary>
public static class TestMnist
{
    private static readonly Lazy<MnistSplit> Split = new(() =>
    {
        var fetcher = new MnistFetcher(MnistFetcher.DefaultDirectory());
        fetcher.EnsureAvailable();
        return MnistDataset.Load(fetcher.DataDirectory).Test;
    });

    /// <summary>The 10,000 test digits: never seen in training.</summary>
    public static MnistSplit Test => Split.Value;
}
