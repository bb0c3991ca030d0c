using LeNet5.Core.Preparation;

namespace LeNet5.Imaging;

/// <summary>
/// What an image may cost: its declared size is checked before decoding, decoders' allocations are
/// capped, and a decode by libwebp or ImageSharp that runs past <see cref="DecodeTimeout"/> is given up on.
/// </summary>
public sealed record ImageLimits(int MaxWidth = 4096, int MaxHeight = 4096, int AllocationLimitMegabytes = 128)
{
    public static readonly ImageLimits Default = new();

    /// <summary>
    /// What reading one image may allocate on the managed heap, beside the capped allocator's buffers: headers,
    /// palettes, tables and the pooled buffers' first rental. The runtime cannot enforce it per request; the fuzzing
    /// harness and the tests hold every input to it, so that a header cannot make a decoder allocate by what it declares.
    /// </summary>
    public const long ManagedBytesPerImage = 16L * 1024 * 1024;

    /// <summary>
    /// How long a request waits for libwebp or ImageSharp to decode an image (WebP; JPEG, BMP, GIF; PNG never reaches it)
    /// before it answers that the image took too long. The decode itself cannot be stopped; it is counted as stuck until it ends.
    /// </summary>
    public TimeSpan DecodeTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How many decodes may be stuck past their deadline before new ImageSharp decodes are refused (503), so they cannot pin every core.</summary>
    public int MaxStuckDecodes { get; init; } = 1;

    /// <summary>Refuses, as too large, an image whose header declares more than <see cref="MaxWidth"/> x <see cref="MaxHeight"/> pixels.</summary>
    public void Check(int width, int height)
    {
        if (width > MaxWidth || height > MaxHeight)
            throw new DigitPreparationException(PreparationFailure.TooLarge,
                $"The image is {width}x{height} pixels; send one of at most {MaxWidth}x{MaxHeight}.");
    }

    /// <summary>Refuses, as too large, an image whose decoded (luminance, alpha) pairs would take more than <see cref="AllocationLimitMegabytes"/>.</summary>
    public void CheckMemory(int width, int height)
    {
        if (2L * width * height > AllocationLimitMegabytes * 1024L * 1024) throw TooMuchMemory(null);
    }

    internal static DigitPreparationException TooMuchMemory(Exception? inner) =>
        new(PreparationFailure.TooLarge, "The image needs more memory to decode than this service allows; send a smaller one.", inner);
}
