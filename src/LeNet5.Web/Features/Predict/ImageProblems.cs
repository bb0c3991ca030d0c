using LeNet5.Core.Preparation;
using LeNet5.Imaging;

namespace LeNet5.Web.Features.Predict;

/// <summary>The problems of a request that sends images (predict, explain, a contributed drawing): what it may be, and why an image is refused.</summary>
public static class ImageProblems
{
    /// <summary>What a prediction request may be, for the detail of the problems that refuse one.</summary>
    public static readonly string AcceptedForms =
        $"Send a {ImageFormats.Names} image as the body (Content-Type {string.Join(", ", ImageFormats.MediaTypes)}), " +
        "as multipart/form-data with the file in the field 'image', or as application/json: {\"image\": \"data:image/png;base64,...\"} or {\"pixels\": [784 numbers from 0 to 255]}.";

    /// <summary>An image request that is malformed: the detail says every form an image may be sent in, unless <paramref name="detail"/> says more.</summary>
    public static ApiProblem Malformed(string title, string? detail = null) => Problems.Malformed(title, detail ?? AcceptedForms);

    public static ApiProblem UnsupportedImage(string? contentType) =>
        Problems.UnsupportedType(contentType, $"{string.Join(", ", ImageFormats.MediaTypes)}, multipart/form-data or application/json", AcceptedForms);

    public static ApiProblem BatchTooManyPixels(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge,
            $"The batch's images hold more than {limit:N0} pixels in all (Limits:MaxBatchPixels); send smaller images or split the batch.");

    /// <summary>
    /// An image that could not be prepared: 400 (undecodable), 413 (too large), 422 (blank, or too slow to decode)
    /// or 503 with Retry-After (decoding refused while earlier decodes are stuck); <paramref name="where"/> names a batch item.
    /// </summary>
    public static ApiProblem From(DigitPreparationException ex, string? where = null)
    {
        int status = ex.Failure switch
        {
            PreparationFailure.TooLarge => StatusCodes.Status413PayloadTooLarge,
            PreparationFailure.Blank or PreparationFailure.TooSlow => StatusCodes.Status422UnprocessableEntity,
            PreparationFailure.Unavailable => StatusCodes.Status503ServiceUnavailable,
            _ => StatusCodes.Status400BadRequest,
        };
        return new ApiProblem(status, where is null ? ex.Message : $"{where}: {ex.Message}", inner: ex)
        {
            RetryAfterSeconds = ex.Failure == PreparationFailure.Unavailable ? 5 : null,
        };
    }
}
