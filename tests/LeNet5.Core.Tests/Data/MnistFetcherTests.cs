using System.Formats.Tar;
using System.IO.Compression;
using LeNet5.Core.Data;

namespace LeNet5.Core.Tests;

public sealed class MnistFetcherTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "lenet5-fetch-" + Guid.NewGuid().ToString("N"));

    public MnistFetcherTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string CopyOfRealData()
    {
        TestMnist.Load();
        var copy = Path.Combine(_dir, "mnist");
        Directory.CreateDirectory(copy);
        foreach (var f in MnistFile.All) File.Copy(Path.Combine(TestMnist.Directory, f.Name), Path.Combine(copy, f.Name));
        return copy;
    }

    [Fact]
    public void VerifiedCopyPasses()
    {
        var copy = CopyOfRealData();
        MnistFile.VerifyAll(copy);
        Assert.False(new MnistFetcher(copy).EnsureAvailable()); // present and verified: nothing fetched
    }

    [Fact]
    public void CorruptedFileIsRefused()
    {
        var copy = CopyOfRealData();
        var path = Path.Combine(copy, MnistFile.TestLabels.Name);
        var bytes = File.ReadAllBytes(path);
        bytes[100] ^= 1;
        File.WriteAllBytes(path, bytes);
        var ex = Assert.Throws<MnistFetchException>(() => new MnistFetcher(copy).EnsureAvailable());
        Assert.Contains("SHA-256", ex.Message);
        Assert.Contains(MnistFile.TestLabels.Name, ex.Message);
    }

    [Fact]
    public void TruncatedFileIsRefused()
    {
        var copy = CopyOfRealData();
        var path = Path.Combine(copy, MnistFile.TrainImages.Name);
        using (var fs = new FileStream(path, FileMode.Open)) fs.SetLength(fs.Length / 2);
        Assert.Throws<MnistFetchException>(() => MnistFile.VerifyAll(copy));
    }

    [Fact]
    public void PartialDirectoryIsRefusedWithAdvice()
    {
        var copy = CopyOfRealData();
        File.Delete(Path.Combine(copy, MnistFile.TrainLabels.Name));
        var ex = Assert.Throws<MnistFetchException>(() => new MnistFetcher(copy).EnsureAvailable());
        Assert.Contains("fetch-data", ex.Message);
    }

    [Fact]
    public void TarballWithoutTheFilesIsRefused()
    {
        var tgz = Path.Combine(_dir, "fake.tgz");
        using (var gz = new GZipStream(File.Create(tgz), CompressionLevel.Fastest))
        using (var tar = new TarWriter(gz))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, "package/data/train-images-idx3-ubyte") { DataStream = new MemoryStream([1, 2, 3]) };
            tar.WriteEntry(entry);
        }
        var ex = Assert.Throws<MnistFetchException>(() => MnistTarball.Extract(tgz, _dir));
        Assert.Contains("lacks", ex.Message);
    }

    [Fact]
    public void GarbageTarballIsRefused()
    {
        var tgz = Path.Combine(_dir, "garbage.tgz");
        File.WriteAllBytes(tgz, [0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5]);
        Assert.Throws<MnistFetchException>(() => MnistTarball.Extract(tgz, _dir));
    }

    [Fact]
    public void FetchesIntoAnExistingEmptyDirectoryAndKeepsItsOtherFiles()
    {
        var target = Path.Combine(_dir, "existing");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "notes.txt"), "mine");
        Assert.True(new MnistFetcher(target).EnsureAvailable());
        MnistFile.VerifyAll(target);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(target, "notes.txt")));
        Assert.Equal([target], Directory.GetDirectories(_dir)); // nothing staged or set aside is left
    }

    [Fact]
    public void FetchesIntoAFreshDirectoryWithNpm()
    {
        var target = Path.Combine(_dir, "fresh", "mnist");
        var fetcher = new MnistFetcher(target);
        Assert.True(fetcher.EnsureAvailable());
        MnistFile.VerifyAll(target);
        Assert.Equal(MnistFile.All.Count, Directory.GetFiles(target).Length); // no tarball or temp files left
        Assert.Equal([target], Directory.GetDirectories(Path.GetDirectoryName(target)!)); // no staging folder left
    }
}
