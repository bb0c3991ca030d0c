using LeNet5.Imaging;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LeNet5.Web.Infrastructure;

/// <summary>The API's error answers: every one a problem+json whose title says what to fix.</summary>
public static class Problems
{
    public const string AcceptedForms =
        "Send a PNG, JPEG, BMP, GIF or WebP image as the body (Content-Type image/png, image/jpeg, image/bmp, image/gif or image/webp), " +
        "as multipart/form-data with the file in the field 'image', or as application/json: {\"image\": \"data:image/png;base64,...\"} or {\"pixels\": [784 numbers from 0 to 255]}.";

    public static ApiProblemException UnknownModel(string id) =>
        new(StatusCodes.Status404NotFound, $"There is no model '{id}'; GET /api/models lists the models you can name.");

    public static ApiProblemException NoModel() =>
        new(StatusCodes.Status503ServiceUnavailable, "No model is loaded; put a .safetensors model in the models folder and restart.");

    public static ApiProblemException BodyTooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, $"The request body is larger than {Megabytes(limit)}; send a smaller image.");

    public static ApiProblemException UnsupportedType(string? contentType) =>
        new(StatusCodes.Status415UnsupportedMediaType,
            string.IsNullOrEmpty(contentType)
                ? "The request has no Content-Type; say what you send (image/png, multipart/form-data or application/json)."
                : $"The content type '{contentType}' is not accepted; send image/png, image/jpeg, image/bmp, image/gif, image/webp, multipart/form-data or application/json.",
            AcceptedForms);

    public static ApiProblemException Malformed(string title, string? detail = null) =>
        new(StatusCodes.Status400BadRequest, title, detail ?? AcceptedForms);

    /// <summary>Maps a picture that could not be prepared to 400 (undecodable), 413 (too large) or 422 (blank).</summary>
    public static ApiProblemException From(ImagePreparationException ex, string? where = null)
    {
        int status = ex.Failure switch
        {
            PreparationFailure.TooLarge => StatusCodes.Status413PayloadTooLarge,
            PreparationFailure.Blank => StatusCodes.Status422UnprocessableEntity,
            _ => StatusCodes.Status400BadRequest,
        };
        return new ApiProblemException(status, where is null ? ex.Message : $"{where}: {ex.Message}", null, ex);
    }

    public static ProblemHttpResult ToResult(this ApiProblemException ex) =>
        TypedResults.Problem(statusCode: ex.Status, title: ex.Title, detail: ex.Detail);

    private static string Megabytes(long bytes) =>
        bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MB" : $"{bytes} bytes";
}
