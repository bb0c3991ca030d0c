using System.Runtime.InteropServices;
using LeNet5.Core.Preparation;
using LeNet5.Core.Recognition;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;

namespace LeNet5.Imaging;

/// <summary>
/// Turns an encoded image of a digit into the 28x28 MNIST-like digit the network expects. Decoding
/// is hardened: every file with PNG's signature is read by the service's own <see cref="PngReader"/>, WebP by libwebp
/// (<see cref="WebpReader"/>); ImageSharp, configured to know only the other accepted formats, reads the rest (JPEG,
/// BMP, GIF's first frame), with its allocations capped. Decoders other than the service's own run under a deadline;
/// the declared size is read from the header and refused above the limits before anything is decoded, and a BMP
/// header ImageSharp would trust too far (<see cref="BmpHeader"/>) before ImageSharp sees it. Thread-safe.
/// </summary>
public sealed class DigitImagePreparer : IDigitPreparer
{
    private readonly Configuration _configuration;
    private readonly Func<byte[], int, int, byte[]> _decode;
    private int _stuckDecodes;

    public DigitImagePreparer(ImageLimits? limits = null)
    {
        Limits = limits ?? ImageLimits.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(Limits.MaxWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(Limits.MaxHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(Limits.AllocationLimitMegabytes, 1);
        _configuration = CreateConfiguration(Limits.AllocationLimitMegabytes);
        _decode = Decode;
    }

    /// <summary>With another decoder in ImageSharp's place: for tests that need a decode which never ends.</summary>
    internal DigitImagePreparer(ImageLimits limits, Func<byte[], int, int, byte[]> decode) : this(limits) => _decode = decode;

    public ImageLimits Limits { get; }

    /// <summary>
    /// An ImageSharp configuration that knows only the accepted formats it reads and caps its allocations. It still
    /// knows PNG, for the benchmark's peer decode; the preparer itself never hands it one. WebP is not among them.
    /// </summary>
    public static Configuration CreateConfiguration(int allocationLimitMegabytes)
    {
        var configuration = new Configuration(
            new PngConfigurationModule(), new JpegConfigurationModule(), new BmpConfigurationModule(), new GifConfigurationModule())
        {
            MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions { AllocationLimitMegabytes = allocationLimitMegabytes }),
            // requests already run in parallel; one image needs no more than its own thread
            MaxDegreeOfParallelism = 1,
        };
        // only the pixels matter: skipping metadata also skips compressed text chunks, EXIF, XMP and ICC profiles
        var formats = configuration.ImageFormatsManager;
        formats.SetDecoder(PngFormat.Instance, new PngDecoder { IgnoreMetadata = true });
        formats.SetDecoder(JpegFormat.Instance, new JpegDecoder { IgnoreMetadata = true });
        formats.SetDecoder(GifFormat.Instance, new GifDecoder { DecodingMode = FrameDecodingMode.First, IgnoreMetadata = true });
        return configuration;
    }

    /// <summary>Prepares one encoded image: 28x28, 0 background, 255 ink, centred by centre of mass. Throws <see cref="DigitPreparationException"/> when it cannot.</summary>
    /// <remarks>
    /// A PNG is read by <see cref="PngReader"/>, anything else by libwebp or ImageSharp under <see cref="ImageLimits.DecodeTimeout"/>;
    /// from the decoded pixels on, every buffer is pooled and only the ink box is resampled, so beyond the decode
    /// the cost follows the image's area once and nothing allocated grows with it.
    /// </remarks>
    public byte[] Prepare(byte[] encoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        int width, height;
        byte[] luminanceAlpha;
        if (PngReader.IsPng(encoded))
        {
            luminanceAlpha = PngReader.Decode(encoded, Limits, out width, out height);
        }
        else
        {
            (width, height) = Identify(encoded);
            luminanceAlpha = DecodeWithinDeadline(encoded, width, height);
        }
        int pixels = width * height;
        byte[] grey = PixelBuffers.Rent(pixels);
        try
        {
            var levels = InkMap.Composite(luminanceAlpha.AsSpan(0, 2 * pixels), width, height, grey.AsSpan(0, pixels)) ?? throw Blank();
            return MnistLayout.Lay(grey.AsSpan(0, pixels), width, height, levels) ?? throw Blank();
        }
        finally
        {
            PixelBuffers.Return(grey);
            PixelBuffers.Return(luminanceAlpha);
        }
    }

    /// <summary>Decodes by ImageSharp past their deadline and still running: while any are, the service is not well.</summary>
    public int StuckDecodes => Volatile.Read(ref _stuckDecodes);

    /// <summary>Reads the size from the header, without decoding, and checks it against the limits.</summary>
    public (int Width, int Height) Identify(byte[] encoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        if (PngReader.IsPng(encoded)) return PngReader.Identify(encoded, Limits);
        if (WebpReader.IsWebp(encoded)) return WebpReader.Identify(encoded, Limits);
        if (BmpHeader.DataLiesOutsideTheFile(encoded)) throw Undecodable(null);
        IImageInfo? info;
        IImageFormat? format;
        try
        {
            info = Image.Identify(_configuration, encoded, out format);
        }
        catch (Exception ex) when (IsDecodingFailure(ex))
        {
            throw IsAllocationRefused(ex) ? ImageLimits.TooMuchMemory(ex) : Undecodable(ex);
        }
        if (info is null || format is null) throw Undecodable(null);
        if (info.Width < 1 || info.Height < 1) throw Undecodable(null);
        Limits.Check(info.Width, info.Height);
        return (info.Width, info.Height);
    }

    /// <summary>
    /// ImageSharp's decode on a thread of its own, waited for at most <see cref="ImageLimits.DecodeTimeout"/>. ImageSharp
    /// 2.1 takes no cancellation, so a decode past its deadline cannot be stopped: the request answers that the image
    /// took too long, the decode is counted in <see cref="StuckDecodes"/> until it ends (and gives its buffer back then),
    /// and while <see cref="ImageLimits.MaxStuckDecodes"/> are stuck, new decodes are refused rather than pin more cores.
    /// </summary>
    private byte[] DecodeWithinDeadline(byte[] encoded, int width, int height)
    {
        if (StuckDecodes >= Limits.MaxStuckDecodes)
            throw new DigitPreparationException(PreparationFailure.Unavailable,
                "An image sent earlier is still being decoded past its deadline; send a PNG, or try again later.");
        var decode = Task.Factory.StartNew(() => _decode(encoded, width, height), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        bool ended;
        try
        {
            ended = decode.Wait(Limits.DecodeTimeout);
        }
        catch (AggregateException)
        {
            ended = true; // it failed in time: its own exception is thrown below, not the AggregateException
        }
        if (ended || decode.IsCompleted) return decode.GetAwaiter().GetResult();
        Interlocked.Increment(ref _stuckDecodes);
        decode.ContinueWith(finished =>
        {
            if (finished.IsCompletedSuccessfully) PixelBuffers.Return(finished.Result);
            Interlocked.Decrement(ref _stuckDecodes);
        }, TaskScheduler.Default);
        throw new DigitPreparationException(PreparationFailure.TooSlow,
            $"The image took longer than {Limits.DecodeTimeout.TotalSeconds:0.#} s to decode; send a simpler one, or a PNG.");
    }

    /// <summary>Decodes to interleaved (luminance, alpha) byte pairs, in a buffer from <see cref="PixelBuffers"/>.</summary>
    private byte[] Decode(byte[] encoded, int width, int height) =>
        WebpReader.IsWebp(encoded) ? WebpReader.Decode(encoded, width, height) : DecodeWithImageSharp(encoded, width, height);

    private byte[] DecodeWithImageSharp(byte[] encoded, int width, int height)
    {
        try
        {
            using var image = Image.Load<La16>(_configuration, encoded);
            // the header was checked, but a decoder may still disagree with it: trust only what was decoded
            if (image.Width != width || image.Height != height)
                throw new DigitPreparationException(PreparationFailure.Undecodable, "The image's header does not match its content.");
            var luminanceAlpha = PixelBuffers.Rent(2 * width * height);
            try
            {
                image.CopyPixelDataTo(MemoryMarshal.Cast<byte, La16>(luminanceAlpha.AsSpan(0, 2 * width * height)));
                return luminanceAlpha;
            }
            catch
            {
                PixelBuffers.Return(luminanceAlpha);
                throw;
            }
        }
        catch (Exception ex) when (IsDecodingFailure(ex))
        {
            // the capped allocator refused: ImageSharp may wrap that in an InvalidImageContentException
            throw IsAllocationRefused(ex) ? ImageLimits.TooMuchMemory(ex) : Undecodable(ex);
        }
    }

    private static DigitPreparationException Undecodable(Exception? inner) =>
        new(PreparationFailure.Undecodable, $"The image could not be decoded: send a {ImageFormats.Names} image.", inner);

    private static DigitPreparationException Blank() =>
        new(PreparationFailure.Blank, "The image is blank: it holds no ink to read a digit from.");

    private static bool IsAllocationRefused(Exception? ex)
    {
        // a header may ask for an array larger than .NET allows (a BMP's palette, in Identify): OutOfMemoryException at once
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is InvalidMemoryOperationException or OutOfMemoryException) return true;
        }
        return false;
    }

    // A decoder fed hostile bytes may fail in many ways; none of them is the server's fault.
    private static bool IsDecodingFailure(Exception ex) =>
        ex is not (OperationCanceledException or DigitPreparationException);
}
