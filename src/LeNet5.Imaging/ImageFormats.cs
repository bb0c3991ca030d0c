namespace LeNet5.Imaging;

/// <summary>The image formats the service reads: their names and media types, for decoding, error messages and the API's documentation.</summary>
public static class ImageFormats
{
    /// <summary>"PNG, JPEG, BMP, GIF or WebP".</summary>
    public const string Names = "PNG, JPEG, BMP, GIF or WebP";

    /// <summary>The media types of the accepted formats.</summary>
    public static readonly IReadOnlyList<string> MediaTypes = ["image/png", "image/jpeg", "image/bmp", "image/gif", "image/webp"];

    /// <summary>True for a media type of one of the accepted formats (image/jpg is taken as image/jpeg).</summary>
    public static bool IsSupportedMediaType(string? mediaType) =>
        mediaType is not null && (MediaTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase)
                                  || string.Equals(mediaType, "image/jpg", StringComparison.OrdinalIgnoreCase));
}
