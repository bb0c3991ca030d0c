using Microsoft.Net.Http.Headers;

namespace LeNet5.Web.Infrastructure;

/// <summary>
/// The one way a hand-read JSON body is read: its media type checked (415), read up to a limit and
/// no further through <see cref="BoundedBody"/> (413), and parsed (400). Each problem's title says
/// what to send. Unknown fields are told from the names the body's contract knows.
/// </summary>
public static class JsonBody
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 8 };

    /// <summary>
    /// A JSON body; <paramref name="send"/> shows what to send (<c>{"label": D}</c>, say) in the titles
    /// of the problems that refuse one. <paramref name="charge"/> is as for <see cref="BoundedBody.ReadAsync"/>.
    /// </summary>
    public static async Task<JsonDocument> ReadAsync(HttpRequest request, long limit, string send, CancellationToken cancellationToken, Action<int>? charge = null)
    {
        if (!IsJson(MediaTypeOf(request))) throw Problems.UnsupportedType(request.ContentType, $"application/json {send}");
        return Parse(await BoundedBody.ReadAsync(request, limit, cancellationToken, charge), send);
    }

    /// <summary>The bytes of a JSON body that may be left out: a request without a Content-Type is read as JSON too.</summary>
    public static Task<byte[]> ReadOptionalAsync(HttpRequest request, long limit, string send, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(request.ContentType) && !IsJson(MediaTypeOf(request)))
            throw Problems.UnsupportedType(request.ContentType, $"application/json {send}");
        return BoundedBody.ReadAsync(request, limit, cancellationToken);
    }

    /// <summary>The body parsed, or the 400 problem whose title shows what to send.</summary>
    public static JsonDocument Parse(byte[] body, string send)
    {
        try
        {
            return JsonDocument.Parse(body, Options);
        }
        catch (JsonException ex)
        {
            throw Problems.Malformed($"The JSON body is malformed; send {send}.", ex.Message);
        }
    }

    /// <summary>The fields of <paramref name="body"/> that are not among the contract's <paramref name="known"/> names (which are exact, camelCase).</summary>
    public static IEnumerable<string> UnknownFields(JsonElement body, IReadOnlySet<string> known) =>
        body.ValueKind == JsonValueKind.Object ? body.EnumerateObject().Select(p => p.Name).Where(name => !known.Contains(name)) : [];

    /// <summary>The media type of the request's Content-Type, without its parameters; null when it has none or it does not parse.</summary>
    public static string? MediaTypeOf(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) ? parsed.MediaType.Value : null;

    /// <summary>The media type of a Content-Type header (a multipart section's, say); the header itself when it does not parse.</summary>
    public static string? MediaTypeOf(string contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed) ? parsed.MediaType.Value : contentType;

    /// <summary>application/json, or any type whose suffix is +json.</summary>
    public static bool IsJson(string? mediaType) =>
        string.Equals(mediaType, "application/json", StringComparison.OrdinalIgnoreCase)
        || (mediaType?.EndsWith("+json", StringComparison.OrdinalIgnoreCase) ?? false);

    public static bool IsMultipart(string? mediaType) => string.Equals(mediaType, "multipart/form-data", StringComparison.OrdinalIgnoreCase);
}
