using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LeNet5.Core.Models;

/// <summary>A model file that cannot be read: corrupt, truncated, or not for this architecture.</summary>
public sealed class ModelFormatException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>One float32 tensor of a safetensors file.</summary>
public sealed record NamedTensor(string Name, int[] Shape, float[] Data);

/// <summary>
/// The safetensors format: an 8-byte little-endian header length, a JSON header naming each tensor's
/// dtype, shape and [begin, end) byte offsets into the data that follows, string metadata under
/// <c>__metadata__</c>, then the raw little-endian tensors. Only F32 is used here.
/// </summary>
public static class SafeTensors
{
    private const long MaxHeaderBytes = 16 << 20;

    public static byte[] Serialize(IReadOnlyList<NamedTensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        var header = new JsonObject();
        var meta = new JsonObject();
        foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) meta[k] = v;
        header["__metadata__"] = meta;
        long offset = 0;
        foreach (var t in tensors)
        {
            if (t.Data.Length != t.Shape.Aggregate(1L, (a, b) => a * b))
                throw new ArgumentException($"tensor {t.Name}: {t.Data.Length} values do not fill shape [{string.Join(',', t.Shape)}]");
            long bytes = t.Data.Length * 4L;
            header[t.Name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(t.Shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        int padded = (json.Length + 7) / 8 * 8; // the data starts 8-byte aligned; the format pads with spaces
        var file = new byte[8 + padded + offset];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)padded);
        json.CopyTo(file, 8);
        file.AsSpan(8 + json.Length, padded - json.Length).Fill((byte)' ');
        long pos = 8 + padded;
        foreach (var t in tensors)
        {
            var bytes = MemoryMarshal.AsBytes(t.Data.AsSpan());
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts are not supported");
            bytes.CopyTo(file.AsSpan((int)pos));
            pos += bytes.Length;
        }
        return file;
    }

    public static (Dictionary<string, NamedTensor> Tensors, Dictionary<string, string> Metadata) Deserialize(ReadOnlySpan<byte> file, string source = "model")
    {
        try
        {
            return Parse(file, source);
        }
        catch (Exception ex) when (ex is not ModelFormatException and not OutOfMemoryException)
        {
            // whatever else a crafted header can provoke (duplicate keys, huge offsets) is still "a bad file"
            throw new ModelFormatException($"{source}: not a readable safetensors file ({ex.Message}).", ex);
        }
    }

    private static (Dictionary<string, NamedTensor> Tensors, Dictionary<string, string> Metadata) Parse(ReadOnlySpan<byte> file, string source)
    {
        if (file.Length < 8) throw new ModelFormatException($"{source}: {file.Length} bytes is too short to be a safetensors file.");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (headerLength > MaxHeaderBytes || (long)headerLength > file.Length - 8)
            throw new ModelFormatException($"{source}: header length {headerLength} does not fit a {file.Length}-byte file; the file is truncated or not safetensors.");
        JsonObject header;
        try
        {
            header = JsonNode.Parse(file.Slice(8, (int)headerLength)) as JsonObject
                ?? throw new ModelFormatException($"{source}: the header is not a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new ModelFormatException($"{source}: the header is not valid JSON ({ex.Message}); the file is corrupt.", ex);
        }
        var data = file[(8 + (int)headerLength)..];
        var metadata = new Dictionary<string, string>();
        var tensors = new Dictionary<string, NamedTensor>();
        var extents = new List<(long Begin, long End, string Name)>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                if (node is JsonObject m)
                    foreach (var (k, v) in m) metadata[k] = v?.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : v?.ToJsonString() ?? "";
                continue;
            }
            try
            {
                var info = node!.AsObject();
                var dtype = info["dtype"]!.GetValue<string>();
                if (dtype != "F32") throw new ModelFormatException($"{source}: tensor {name} has dtype {dtype}; only F32 is supported.");
                var shape = info["shape"]!.AsArray().Select(d => d!.GetValue<int>()).ToArray();
                var offsets = info["data_offsets"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
                if (shape.Any(d => d < 0) || offsets.Length != 2 || offsets[0] < 0)
                    throw new ModelFormatException($"{source}: tensor {name} has offsets that do not match its shape.");
                // checked: a crafted shape whose element count overflows 64 bits is a bad file, not a small tensor
                long bytes = checked(shape.Aggregate(1L, (a, b) => checked(a * b)) * 4);
                if (offsets[1] - offsets[0] != bytes)
                    throw new ModelFormatException($"{source}: tensor {name} has offsets that do not match its shape.");
                if (offsets[1] > data.Length)
                    throw new ModelFormatException($"{source}: tensor {name} ends at byte {offsets[1]} but the data holds {data.Length}; the file is truncated.");
                var values = MemoryMarshal.Cast<byte, float>(data[(int)offsets[0]..(int)offsets[1]]).ToArray();
                tensors[name] = new NamedTensor(name, shape, values);
                extents.Add((offsets[0], offsets[1], name));
            }
            catch (Exception ex) when (ex is InvalidOperationException or NullReferenceException or FormatException or JsonException or OverflowException)
            {
                throw new ModelFormatException($"{source}: tensor {name} is described wrongly in the header ({ex.Message}).", ex);
            }
        }
        CheckTiling(extents, data.Length, source);
        return (tensors, metadata);
    }

    /// <summary>The tensors' byte ranges must tile the data exactly: no gap, no overlap (two tensors sharing bytes), nothing after the last.</summary>
    private static void CheckTiling(List<(long Begin, long End, string Name)> extents, long length, string source)
    {
        long at = 0;
        foreach (var (begin, end, name) in extents.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (begin != at)
                throw new ModelFormatException(begin < at
                    ? $"{source}: tensor {name} shares bytes with another tensor; the file is corrupt or crafted."
                    : $"{source}: {begin - at} bytes before tensor {name} belong to no tensor; the file is corrupt.");
            at = end;
        }
        if (at != length)
            throw new ModelFormatException($"{source}: {length - at} bytes after the last tensor; the file is corrupt.");
    }

    /// <summary>
    /// Deletes the temporary files that <see cref="WriteAtomic"/> leaves when its process is killed
    /// mid-write (<c>NAME.PID.GUID.tmp</c>, with no live process PID); returns how many. Anything else stays.
    /// </summary>
    public static int SweepLeftovers(string directory)
    {
        if (!Directory.Exists(directory)) return 0;
        int swept = 0;
        foreach (var path in Directory.EnumerateFiles(directory, "*.tmp"))
        {
            var parts = Path.GetFileName(path).Split('.');
            if (parts.Length < 4 || !int.TryParse(parts[^3], out int pid) || parts[^2].Length != 32 || IsRunning(pid)) continue;
            try
            {
                File.Delete(path);
                swept++;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // another process holds it after all: it stays for the next sweep
            }
        }
        return swept;
    }

    private static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Writes the file atomically: a temporary file beside it, flushed to disk, then renamed over it.</summary>
    public static void WriteAtomic(string path, ReadOnlySpan<byte> content)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var tmp = $"{full}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                fs.Write(content);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
            SyncDirectory(Path.GetDirectoryName(full)!);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    /// <summary>Flushes a directory entry (the rename) to disk: fsync on the directory, as POSIX asks.</summary>
    private static void SyncDirectory(string directory)
    {
        // .NET will not open a directory as a file, and NTFS journals renames itself
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        int fd = NativeFiles.Open(directory, 0 /* O_RDONLY */);
        if (fd < 0) return; // the file itself is flushed; without the directory sync the rename may roll back
        NativeFiles.FSync(fd);
        NativeFiles.Close(fd);
    }
}

internal static partial class NativeFiles
{
    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static partial int Close(int fd);
}
