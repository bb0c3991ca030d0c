using LeNet5.Core.Preparation;
using LeNet5.Imaging;

namespace LeNet5.Web.Infrastructure;

/// <summary>Every problem the API answers, each with a title that says what to fix.</summary>
public static class Problems
{
    /// <summary>What a prediction request may be, for the detail of the problems that refuse one.</summary>
    public static readonly string AcceptedForms =
        $"Send a {PictureFormats.Names} image as the body (Content-Type {string.Join(", ", PictureFormats.MediaTypes)}), " +
        "as multipart/form-data with the file in the field 'image', or as application/json: {\"image\": \"data:image/png;base64,...\"} or {\"pixels\": [784 numbers from 0 to 255]}.";

    // ---- any request ----

    public static ApiProblem Malformed(string title, string? detail = null) => new(StatusCodes.Status400BadRequest, title, detail ?? AcceptedForms);

    public static ApiProblem Invalid(string what, IReadOnlyDictionary<string, string> errors, string detail = "Fix the fields named in 'errors'; every setting is optional.") =>
        new(StatusCodes.Status400BadRequest, $"Invalid {what}: {string.Join("; ", errors.Values)}.", detail, errors.ToDictionary(e => e.Key, e => new[] { e.Value }));

    /// <summary>A body over the limit (413); <paramref name="limit"/> null when Kestrel refused it before we knew it.</summary>
    public static ApiProblem BodyTooLarge(long? limit) =>
        new(StatusCodes.Status413PayloadTooLarge,
            limit is { } bytes ? $"The request body is larger than {Megabytes(bytes)}; send a smaller one." : "The request body is too large; send a smaller one.");

    public static ApiProblem UnsupportedType(string? contentType, string accepted, string? detail = null) =>
        new(StatusCodes.Status415UnsupportedMediaType,
            string.IsNullOrEmpty(contentType)
                ? $"The request has no Content-Type; say what you send ({accepted})."
                : $"The content type '{contentType}' is not accepted here; send {accepted}.",
            detail);

    public static ApiProblem Conflict(string title) => new(StatusCodes.Status409Conflict, title);

    public static ApiProblem NotFound(string title) => new(StatusCodes.Status404NotFound, title);

    /// <summary>Kestrel's or parameter binding's refusal of a request (an unreadable query, say).</summary>
    public static ApiProblem MalformedRequest(int status, string detail) =>
        new(status, "The request is malformed; check its query string, headers and body.", detail);

    public static ApiProblem NoSuchApiPath() => NotFound("There is no such API path; /openapi/v1.json lists the API.");

    /// <summary>A bare error status of the API that no endpoint explained.</summary>
    public static ApiProblem Status(int status) => status == StatusCodes.Status404NotFound ? NoSuchApiPath() : new(status, $"The API answered {status}.");

    /// <summary>Over a per-client rate limit (429); <paramref name="limit"/> names the settings that set it.</summary>
    public static ApiProblem TooManyRequests(int retryAfterSeconds, string what, string limit) =>
        new(StatusCodes.Status429TooManyRequests, $"Too many {what} from your address; wait {retryAfterSeconds} s and try again.",
            $"Each client may make a limited number of them per window ({limit}).")
        {
            RetryAfterSeconds = retryAfterSeconds,
        };

    // ---- admin ----

    public static ApiProblem AdminRequired() =>
        new(StatusCodes.Status401Unauthorized, "This is an admin API; send 'Authorization: Bearer TOKEN' with the admin token (Admin:Token), or sign in at /login.");

    public static ApiProblem AdminForbidden() => new(StatusCodes.Status403Forbidden, "The admin token is not valid for this request.");

    public static ApiProblem TooManyWrongTokens(int retryAfterSeconds) =>
        TooManyRequests(retryAfterSeconds, "wrong admin tokens", "RateLimit:LoginPermitLimit per RateLimit:LoginWindowSeconds, on the API and the sign-in page alike");

    public static ApiProblem AntiforgeryMissing(string detail) =>
        new(StatusCodes.Status400BadRequest, "The antiforgery token is missing or invalid; reload the admin page, or send 'Authorization: Bearer TOKEN' from scripts.", detail);

    // ---- training ----

    public static ApiProblem TooManyEventStreams(int limit) =>
        new(StatusCodes.Status503ServiceUnavailable, $"{limit} event streams are open already (Training:MaxEventStreams); close one, or poll GET /api/training/{{id}}.")
        {
            RetryAfterSeconds = 5,
        };

    /// <summary>The server is at its limit of <paramref name="what"/> in flight (503): come back in a second.</summary>
    public static ApiProblem Busy(string what, string setting) =>
        new(StatusCodes.Status503ServiceUnavailable, $"The server is handling as many {what} as it takes at once ({setting}); try again in a second.")
        {
            RetryAfterSeconds = 1,
        };

    public static ApiProblem UnknownRun(long id) => NotFound($"There is no training run {id}; GET /api/training lists the runs.");

    public static ApiProblem RunNotFinished(long id, string status) =>
        NotFound($"Run {id} is {status}; the confusion matrix and mistakes exist once a run has completed.");

    // ---- models ----

    public static ApiProblem UnknownModel(string id) => NotFound($"There is no model '{id}'; GET /api/models lists the models you can name.");

    public static ApiProblem ActiveModelKept(string id) =>
        Conflict($"'{id}' is the active model; activate another one (POST /api/models/OTHER/activate) before deleting it.");

    public static ApiProblem ModelFileKept(string id, string? reason) =>
        new(StatusCodes.Status500InternalServerError,
            $"The file of model '{id}' could not be deleted, so the model stays loaded; check the models folder's permissions and try again.", reason);

    public static ApiProblem UnknownFileFormat(string format, IReadOnlyList<string> accepted) =>
        Malformed($"There is no model file format '{format}'; ask for format={string.Join(" or format=", accepted)}.",
            $"Leave format out for {accepted[0]}.");

    public static ApiProblem NoModel() =>
        new(StatusCodes.Status503ServiceUnavailable, "No model is loaded; put a .safetensors model in the models folder and restart.");

    // ---- explanations ----

    public static ApiProblem BadTarget(string? target) =>
        Malformed(string.IsNullOrEmpty(target)
                ? "Name the digit to nudge toward: ?target=D with D from 0 to 9."
                : $"The target '{target}' is not a digit; send ?target=D with D from 0 to 9.",
            "The body is the same as for POST /api/predict. " + AcceptedForms);

    public static ApiProblem UnknownLayers(string layers, IEnumerable<string> known) =>
        Malformed($"There is no layer '{layers}' with parameters in this model; name some of {string.Join(", ", known)} (comma-separated), or leave ?layers= out.",
            "GET /api/models/{id}/parameters answers every layer's tensors when ?layers= is left out.");

    // ---- corrections ----

    public static ApiProblem CorrectionsDisabled() =>
        NotFound("Corrections are turned off on this server (Corrections:Enabled is false).");

    public static ApiProblem UnknownCorrection(long id) => NotFound($"There is no correction {id}; GET /api/corrections lists them.");

    /// <summary>The database holds its most contributed drawings (507): none is kept until a reviewer deletes some, so no Retry-After.</summary>
    public static ApiProblem CorrectionsFull(string most, string setting) =>
        new(StatusCodes.Status507InsufficientStorage, $"The server keeps no more contributed drawings: it holds its most, {most} ({setting}).",
            "Nothing was stored. Room comes back when a reviewer deletes drawings (DELETE /api/corrections/{id} or POST /api/corrections/bulk).");

    /// <summary>This client has contributed its most drawings of the last 24 hours (429, with Retry-After).</summary>
    public static ApiProblem TooManyCorrectionsToday(int limit, int retryAfterSeconds) =>
        new(StatusCodes.Status429TooManyRequests, $"Your address has contributed {limit} drawings in the last 24 hours, the most it may; wait {retryAfterSeconds} s and try again.",
            "Nothing was stored. Each client may contribute Corrections:MaxDrawingsPerClientPerDay drawings in any 24 hours.")
        {
            RetryAfterSeconds = retryAfterSeconds,
        };

    public static ApiProblem NothingAccepted() =>
        Conflict("No correction is accepted yet; accept some (POST /api/corrections/{id}/accept) before exporting them.");

    // ---- pictures ----

    public static ApiProblem UnsupportedPicture(string? contentType) =>
        UnsupportedType(contentType, $"{string.Join(", ", PictureFormats.MediaTypes)}, multipart/form-data or application/json", AcceptedForms);

    public static ApiProblem BatchTooManyPixels(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge,
            $"The batch's pictures hold more than {limit:N0} pixels in all (Limits:MaxBatchPixels); send smaller pictures or split the batch.");

    /// <summary>
    /// A picture that could not be prepared: 400 (undecodable), 413 (too large), 422 (blank, or too slow to decode)
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

    private static string Megabytes(long bytes) =>
        bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MB" : $"{bytes} bytes";
}
