namespace LeNet5.Web.Features.Predict;

/// <summary>What one request may cost (section <c>Limits</c>).</summary>
public sealed class LimitsOptions
{
    public const string Section = "Limits";

    /// <summary>Largest request body accepted by the predict endpoints, in bytes (5 MB).</summary>
    [Range(1024, 256L * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 5L * 1024 * 1024;

    /// <summary>Largest image width, read from its header before decoding.</summary>
    [Range(28, 65535)]
    public int MaxImageWidth { get; set; } = 4096;

    /// <summary>Largest image height, read from its header before decoding.</summary>
    [Range(28, 65535)]
    public int MaxImageHeight { get; set; } = 4096;

    /// <summary>Cap on any single buffer ImageSharp allocates while decoding, in MB.</summary>
    [Range(8, 4096)]
    public int ImageAllocationLimitMegabytes { get; set; } = 128;

    /// <summary>
    /// How long a request waits for a JPEG, BMP, GIF or WebP image to decode, in milliseconds, before it answers
    /// 422 (PNGs are read by the service's own bounded decoder). A decode past it cannot be stopped: it is reported
    /// by <c>/healthz</c> as stuck until it ends, and while one is stuck such images are refused with 503.
    /// </summary>
    [Range(100, 60_000)]
    public int DecodeTimeoutMilliseconds { get; set; } = 2000;

    /// <summary>How many images may be decoded at once; the others wait (bounds memory under load).</summary>
    [Range(1, 256)]
    public int MaxConcurrentDecodes { get; set; } = 4;

    /// <summary>
    /// How many prediction requests may read or hold a body at once; one more is answered 503 with
    /// Retry-After at once, so slow uploads cannot pile up without end.
    /// </summary>
    [Range(1, 10_000)]
    public int MaxConcurrentBodies { get; set; } = 256;

    /// <summary>
    /// How many megabytes of body bytes all prediction requests together may hold at once, charged as
    /// the bytes arrive; a request that would go beyond is answered 503 with Retry-After.
    /// </summary>
    [Range(1, 65_536)]
    public int BodyBudgetMegabytes { get; set; } = 64;

    /// <summary>The slowest upload Kestrel waits for, in bytes a second after a 5 s grace; slower clients are cut off (0: no minimum).</summary>
    [Range(0, 1_000_000)]
    public int MinBodyBytesPerSecond { get; set; } = 2048;

    /// <summary>Most images in one batch request.</summary>
    [Range(1, 1000)]
    public int MaxBatchImages { get; set; } = 64;

    /// <summary>
    /// Most pixels (width x height, read from the headers before decoding) all the images of one batch
    /// request may hold together; a 28x28 'pixels' item counts 784. Default: one 4096x4096 image's worth.
    /// </summary>
    [Range(784, 1L << 40)]
    public long MaxBatchPixels { get; set; } = 4096L * 4096;

    /// <summary>
    /// An image whose body is larger than this many bytes is a large image: it costs
    /// <see cref="PredictEndpoints.LargeImageCost"/> rate-limit permits and takes a turn of the heavy-work cap
    /// (HeavyWork:MaxConcurrent), since decoding a photo costs up to a hundred times a canvas drawing. Default 256 KB.
    /// </summary>
    [Range(1024, 256L * 1024 * 1024)]
    public long LargeImageBytes { get; set; } = 256 * 1024;

    /// <summary>
    /// An image whose header declares more pixels (width x height) than this is a large image as
    /// well, however small its body (a 4096x4096 PNG of one colour is 30 KB). Default one megapixel.
    /// </summary>
    [Range(784, 1L << 40)]
    public long LargeImagePixels { get; set; } = 1024 * 1024;
}
