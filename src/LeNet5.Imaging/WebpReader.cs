using LeNet5.Core.Preparation;
using SkiaSharp;

namespace LeNet5.Imaging;

/// <summary>
/// WebP, lossy and lossless, read by libwebp through SkiaSharp (an animation's first frame). ImageSharp 2.1's own WebP
/// decoder sized its lossless Huffman tables by the largest group number its entropy image named, before reading
/// any of them, so a 51-byte file made it allocate 2 GB; libwebp is Google's reference decoder, fuzzed without end by
/// OSS-Fuzz. The size is read from the header and checked against the limits before anything is decoded.
/// </summary>
internal static class WebpReader
{
    /// <summary>True for a RIFF container of WebP: "RIFF", its size, then "WEBP".</summary>
    public static bool IsWebp(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 12 && bytes[..4].SequenceEqual("RIFF"u8) && bytes[8..12].SequenceEqual("WEBP"u8);

    /// <summary>The declared size, from the header alone, checked against the limits.</summary>
    public static (int Width, int Height) Identify(byte[] webp, ImageLimits limits)
    {
        using var codec = Guarded(() => Open(webp));
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width < 1 || height < 1) throw Undecodable();
        limits.Check(width, height);
        limits.CheckMemory(width, height);
        return (width, height);
    }

    /// <summary>Decodes to interleaved (luminance, alpha) byte pairs, in a buffer from <see cref="PixelBuffers"/>; the size must be the one <see cref="Identify"/> gave.</summary>
    public static byte[] Decode(byte[] webp, int width, int height) => Guarded(() => DecodeUnguarded(webp, width, height));

    private static byte[] DecodeUnguarded(byte[] webp, int width, int height)
    {
        using var codec = Open(webp);
        if (codec.Info.Width != width || codec.Info.Height != height) throw Undecodable();
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        byte[] rgba = PixelBuffers.Rent(4 * width * height);
        try
        {
            SKCodecResult result;
            unsafe
            {
                fixed (byte* pixels = rgba) result = codec.GetPixels(info, (IntPtr)pixels);
            }
            // an incomplete image is refused, as the other formats' damaged files are: the missing rows are not the sender's digit
            if (result != SKCodecResult.Success) throw Undecodable();
            var luminanceAlpha = PixelBuffers.Rent(2 * width * height);
            PngPixels.RgbaToLuminanceAlpha8(rgba.AsSpan(0, 4 * width * height), luminanceAlpha.AsSpan(0, 2 * width * height));
            return luminanceAlpha;
        }
        finally
        {
            PixelBuffers.Return(rgba);
        }
    }

    private static SKCodec Open(byte[] webp)
    {
        var codec = SKCodec.Create(new SKMemoryStream(webp), out _);
        if (codec is null) throw Undecodable();
        if (codec.EncodedFormat != SKEncodedImageFormat.Webp)
        {
            codec.Dispose();
            throw Undecodable();
        }
        return codec;
    }

    /// <summary>Whatever SkiaSharp throws for hostile bytes is a refusal, not the server's fault.</summary>
    private static T Guarded<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is not (DigitPreparationException or OperationCanceledException))
        {
            throw Undecodable(ex);
        }
    }

    private static DigitPreparationException Undecodable(Exception? inner = null) =>
        new(PreparationFailure.Undecodable, $"The image could not be decoded: send a {ImageFormats.Names} image.", inner);
}
