using System.Buffers.Binary;
using System.IO.Compression;
using LeNet5.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace LeNet5.Imaging.Tests;

/// <summary>The PNG files the decoder's tests read: noise in any encoding, its Adam7 twin, and the same file with its chunks or data changed.</summary>
internal static class PngFiles
{
    /// <summary>Random colours with smooth runs (so every filter has something to predict) and random transparency.</summary>
    public static byte[] Noise(int width, int height, PngEncoder encoder)
    {
        var random = new Random(width * 1000 + height);
        using var image = new Image<Rgba32>(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                image[x, y] = random.Next(3) == 0
                    ? new Rgba32((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256))
                    : new Rgba32((byte)(x * 7), (byte)(y * 5), (byte)(x ^ y), (byte)(255 - x));
        using var stream = new MemoryStream();
        image.SaveAsPng(stream, encoder);
        return stream.ToArray();
    }

    /// <summary>
    /// The same image as an Adam7 file, by the specification: from a file whose rows are all unfiltered, each pass's
    /// pixels picked out (bit by bit below 8 bits a pixel) into rows of their own, empty passes left out.
    /// </summary>
    public static byte[] Interlace(byte[] png)
    {
        int ihdr = IndexOfChunk(png, "IHDR");
        var header = png.AsSpan(ihdr + 8, 13).ToArray();
        int width = BinaryPrimitives.ReadInt32BigEndian(header), height = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4));
        int channels = header[9] switch { 0 or 3 => 1, 2 => 3, 4 => 2, _ => 4 }, bits = channels * header[8];
        int stride = (width * bits + 7) / 8;
        var raw = Inflate(png);
        using var rows = new MemoryStream();
        foreach (var (x0, y0, dx, dy) in new[] { (0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2) })
        {
            int passWidth = (width - x0 + dx - 1) / dx;
            if (passWidth == 0) continue;
            for (int y = y0; y < height; y += dy)
            {
                Assert.Equal(0, raw[y * (stride + 1)]);
                var row = new byte[(passWidth * bits + 7) / 8];
                for (int i = 0; i < passWidth; i++)
                    for (int b = 0; b < bits; b++)
                    {
                        int from = (x0 + i * dx) * bits + b, to = i * bits + b;
                        int bit = (raw[y * (stride + 1) + 1 + from / 8] >> (7 - from % 8)) & 1;
                        row[to / 8] |= (byte)(bit << (7 - to % 8));
                    }
                rows.WriteByte(0);
                rows.Write(row);
            }
        }
        header[12] = 1;
        using var deflated = new MemoryStream();
        using (var zlib = new ZLibStream(deflated, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(rows.ToArray());
        var interlaced = ReplaceIdat(png, deflated.ToArray());
        return [.. interlaced[..ihdr], .. TestImages.PngChunk("IHDR", header), .. interlaced[(ihdr + 25)..]];
    }

    public static int IndexOfChunk(byte[] png, string type)
    {
        for (int at = 8; at < png.Length;)
        {
            int size = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            if (System.Text.Encoding.ASCII.GetString(png, at + 4, 4) == type) return at;
            at += size + 12;
        }
        throw new InvalidOperationException($"no {type} chunk");
    }

    public static byte[] InsertBeforeIdat(byte[] png, byte[] chunk)
    {
        int idat = IndexOfChunk(png, "IDAT");
        return [.. png[..idat], .. chunk, .. png[idat..]];
    }

    /// <summary>The same file with its IDAT data cut into chunks of <paramref name="size"/> bytes.</summary>
    public static byte[] SplitIdat(byte[] png, int size)
    {
        int idat = IndexOfChunk(png, "IDAT"), length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(idat));
        var parts = new List<byte[]> { png[..idat] };
        for (int at = 0; at < length; at += size) parts.Add(TestImages.PngChunk("IDAT", png.AsSpan(idat + 8 + at, Math.Min(size, length - at)).ToArray()));
        parts.Add(png[(idat + length + 12)..]);
        return [.. parts.SelectMany(p => p)];
    }

    public static byte[] ReplaceIdat(byte[] png, byte[] data)
    {
        int idat = IndexOfChunk(png, "IDAT"), length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(idat));
        return [.. png[..idat], .. TestImages.PngChunk("IDAT", data), .. png[(idat + length + 12)..]];
    }

    public static byte[] Inflate(byte[] png)
    {
        int idat = IndexOfChunk(png, "IDAT"), length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(idat));
        using var inflated = new MemoryStream();
        using (var zlib = new ZLibStream(new MemoryStream(png, idat + 8, length), CompressionMode.Decompress)) zlib.CopyTo(inflated);
        return inflated.ToArray();
    }

    /// <summary>The same file with its inflated scanlines changed (and valid CRCs), or its zlib stream corrupted.</summary>
    public static byte[] Rechunk(byte[] png, Action<byte[]> change, double truncateTo = 1, bool corruptStream = false, int extra = 0)
    {
        var raw = Inflate(png);
        change(raw);
        raw = [.. raw[..(int)(raw.Length * truncateTo)], .. new byte[extra]];
        using var deflated = new MemoryStream();
        using (var zlib = new ZLibStream(deflated, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(raw);
        var data = deflated.ToArray();
        if (corruptStream) data.AsSpan(2, data.Length / 2).Fill(0xA5);
        return ReplaceIdat(png, data);
    }
}
