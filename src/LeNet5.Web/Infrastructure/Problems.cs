namespace LeNet5.Web.Infrastructure;

/// <summary>
/// The problems any request may meet, each with a title that says what to fix. Each feature keeps its
/// own beside its endpoints (<c>ModelProblems</c>, <c>ImageProblems</c>, ...), built from these.
/// </summary>
public static class Problems
{
    public static ApiProblem Malformed(string title, string? detail = null) => new(StatusCodes.Status400BadRequest, title, detail);

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

    /// <summary>The server is at its limit of <paramref name="what"/> in flight (503): come back in a second.</summary>
    public static ApiProblem Busy(string what, string setting) =>
        new(StatusCodes.Status503ServiceUnavailable, $"The server is handling as many {what} as it takes at once ({setting}); try again in a second.")
        {
            RetryAfterSeconds = 1,
        };

    private static string Megabytes(long bytes) =>
        bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MB" : $"{bytes} bytes";
}
