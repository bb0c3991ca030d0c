using System.IO.Compression;
using System.Runtime.Intrinsics;
using LeNet5.Core.Preparation;

namespace LeNet5.Imaging;

/// <summary>
/// The service's one PNG decoder: every PNG is read here and none reaches ImageSharp. It takes every
/// kind the PNG specification defines (grey, RGB, palette, grey+alpha and RGBA; 1 to 16 bits; colour
/// keys; Adam7 interlacing) into (luminance, alpha) pairs with ImageSharp's La16 rounding, and refuses,
/// saying why, every file that is not exactly what its header promises: a chunk cut short or failing
/// its CRC, image data that inflates to fewer bytes than its rows need, an unknown filter.
/// Its work is bounded by the header: inflation stops at the bytes the rows need, so no file can make
/// it loop (ImageSharp 2.1 spins for ever on some interlaced files whose data ends early, and throws
/// on valid files whose image data is split into tiny chunks). A canvas drawing, 8-bit RGBA, runs four
/// Paeth rows at once and converts eight pixels at a time (sixteen with 512-bit vectors). This file
/// holds the entry points and the scanline loop (inflation, rows in order or by Adam7 pass); <see cref="PngLayout"/> walks the chunks,
/// <see cref="PngFilters"/> unfilters the rows and <see cref="PngPixels"/> turns them into pixels.
/// </summary>
internal static class PngReader
{
    /// <summary>Rows inflated and unfiltered together: four Paeth rows run as four interleaved chains.</summary>
    private const int BlockRows = 4;

    /// <summary>
    /// The bytes inflated at least per read, in whole blocks of rows: every call into the inflater has its
    /// set-up and copies up to the last 32 KB it wrote into its window, so fewer, larger reads pay both less
    /// often (reads of four 280-pixel rows spent about a quarter of the inflation's time on them).
    /// </summary>
    private const int ReadBytes = 64 << 10;

    /// <summary>Adam7's seven passes: each one's first column and row, and its steps across and down.</summary>
    private static ReadOnlySpan<byte> Adam7 => [0, 0, 8, 8, 4, 0, 8, 8, 0, 4, 4, 8, 2, 0, 4, 4, 0, 2, 2, 4, 1, 0, 2, 2, 0, 1, 1, 2];

    public static bool IsPng(ReadOnlySpan<byte> bytes) => bytes.StartsWith(PngLayout.Signature);

    /// <summary>The size the header declares, checked against the limits, with every chunk walked and checked but nothing inflated.</summary>
    public static (int Width, int Height) Identify(byte[] png, ImageLimits limits)
    {
        var layout = PngLayout.Read(png, limits);
        return (layout.Header.Width, layout.Header.Height);
    }

    /// <summary>
    /// Decodes <paramref name="png"/> into (luminance, alpha) pairs, in a buffer from <see cref="PixelBuffers"/> that the
    /// caller returns; or throws <see cref="DigitPreparationException"/>, having rented nothing that it keeps.
    /// </summary>
    public static byte[] Decode(byte[] png, ImageLimits limits, out int width, out int height)
    {
        var layout = PngLayout.Read(png, limits);
        var header = layout.Header;
        limits.CheckMemory(header.Width, header.Height);
        int pitch = header.Stride(header.Width) + 1;
        byte[] output = PixelBuffers.Rent(2 * header.Width * header.Height);
        int readRows = RowsPerRead(header, pitch);
        byte[] rows = PixelBuffers.Rent((readRows + 1) * pitch);
        byte[]? gathered = null;
        bool decoded = false;
        try
        {
            using var zlib = new ZLibStream(layout.ImageData(png, ref gathered), CompressionMode.Decompress);
            if (header.Interlaced) ReadPasses(zlib, layout, rows, output);
            else ReadRows(zlib, layout, rows, readRows, output);
            // data after the last row is left unread, as libpng leaves it (some encoders, ImageSharp's among
            // them, write filter bytes for Adam7's empty passes), so nothing is ever inflated beyond what the rows need
            decoded = true;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            // .NET's inflater throws InvalidDataException for a corrupt stream, and ZLibException (an IOException)
            // for what it does not take, such as a preset dictionary
            throw Damaged("its image data is not a valid zlib stream", ex);
        }
        finally
        {
            PixelBuffers.Return(rows);
            if (gathered is not null) PixelBuffers.Return(gathered);
            if (!decoded) PixelBuffers.Return(output);
        }
        (width, height) = (header.Width, header.Height);
        return output;
    }

    /// <summary>Rows inflated per read of a non-interlaced image: whole blocks, at least <see cref="ReadBytes"/> when the image has them.</summary>
    private static int RowsPerRead(PngHeader header, int pitch)
    {
        if (header.Interlaced) return 1; // a pass's rows are read one at a time
        int blocks = Math.Max(1, (ReadBytes + BlockRows * pitch - 1) / (BlockRows * pitch));
        return Math.Min(blocks * BlockRows, header.Height);
    }

    /// <summary>A non-interlaced image: its rows in order, inflated <paramref name="readRows"/> at a time and unfiltered four at a time.</summary>
    private static void ReadRows(Stream zlib, in PngLayout layout, byte[] rows, int readRows, byte[] output)
    {
        var header = layout.Header;
        int stride = header.Stride(header.Width), pitch = stride + 1, bpp = header.FilterBytes;
        var above = rows.AsSpan(0, pitch);
        above.Clear();
        for (int y = 0; y < header.Height; y += readRows)
        {
            int read = Math.Min(readRows, header.Height - y);
            var inflated = rows.AsSpan(pitch, read * pitch);
            Fill(zlib, inflated);
            for (int first = 0; first < read; first += BlockRows)
            {
                int count = Math.Min(BlockRows, read - first);
                var block = inflated.Slice(first * pitch, count * pitch);
                var before = first == 0 ? above : inflated.Slice((first - 1) * pitch, pitch);
                if (count == BlockRows && bpp == 4 && Vector128.IsHardwareAccelerated && PngFilters.AllPaeth(block, pitch))
                {
                    PngFilters.Paeth4Interleaved(block, pitch, before[1..]);
                }
                else
                {
                    for (int k = 0; k < count; k++)
                    {
                        var row = block.Slice(k * pitch, pitch);
                        var previous = k == 0 ? before : block.Slice((k - 1) * pitch, pitch);
                        PngFilters.Unfilter(row[0], row[1..], previous[1..], bpp);
                    }
                }
                // converted while the block is still in the nearest cache
                for (int k = first; k < first + count; k++)
                    PngPixels.ToLuminanceAlpha(inflated.Slice(k * pitch + 1, stride), layout, header.Width, output.AsSpan(2 * (y + k) * header.Width, 2 * header.Width));
            }
            inflated.Slice((read - 1) * pitch, pitch).CopyTo(above);
        }
    }

    /// <summary>An Adam7 image: seven smaller images, each a grid of every 8th, 4th, 2nd... pixel, their rows filtered within their pass.</summary>
    private static void ReadPasses(Stream zlib, in PngLayout layout, byte[] rows, byte[] output)
    {
        var header = layout.Header;
        byte[] passRow = PixelBuffers.Rent(2 * header.Width);
        try
        {
            for (int pass = 0; pass < 7; pass++)
            {
                int x0 = Adam7[4 * pass], y0 = Adam7[4 * pass + 1], dx = Adam7[4 * pass + 2], dy = Adam7[4 * pass + 3];
                int width = (header.Width - x0 + dx - 1) / dx, height = (header.Height - y0 + dy - 1) / dy;
                if (width == 0 || height == 0) continue; // an empty pass has no rows, not even filter bytes
                int stride = header.Stride(width), pitch = stride + 1;
                var previous = rows.AsSpan(0, pitch);
                var row = rows.AsSpan(pitch, pitch);
                previous.Clear();
                var la = passRow.AsSpan(0, 2 * width);
                for (int j = 0; j < height; j++)
                {
                    Fill(zlib, row);
                    PngFilters.Unfilter(row[0], row[1..], previous[1..], header.FilterBytes);
                    PngPixels.ToLuminanceAlpha(row[1..], layout, width, la);
                    var target = output.AsSpan(2 * (y0 + j * dy) * header.Width);
                    for (int i = 0, x = x0; i < width; i++, x += dx) (target[2 * x], target[2 * x + 1]) = (la[2 * i], la[2 * i + 1]);
                    row.CopyTo(previous);
                }
            }
        }
        finally
        {
            PixelBuffers.Return(passRow);
        }
    }

    private static void Fill(Stream zlib, Span<byte> rows)
    {
        if (zlib.ReadAtLeast(rows, rows.Length, throwOnEndOfStream: false) != rows.Length)
            throw new DigitPreparationException(PreparationFailure.Undecodable, "The PNG is incomplete: its image data ends before its last row.");
    }

    internal static DigitPreparationException Damaged(string what, Exception? inner = null) =>
        new(PreparationFailure.Undecodable, $"The PNG is damaged: {what}.", inner);
}
