using Microsoft.Net.Http.Headers;

namespace LeNet5.Web.Features.Atlas;

/// <summary><c>GET /api/models/{id}/atlas</c>: the model's map of the MNIST test digits, for everyone.</summary>
public static class AtlasEndpoints
{
    // rate-limit permits, against a canvas prediction's one: the answer is about 100 KB compressed,
    // and the first one fits the map (seconds of heavy work)
    private const int AtlasCost = 5;

    // the map of a model's id changes only when its weights do, and the tag says when
    private const string CacheControl = "public, max-age=300";

    public static IEndpointRouteBuilder MapAtlasEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/models/{id}/atlas", GetAsync).WithTags("Models").Costs(AtlasCost)
            .Produces<AtlasResponse>().Produces(StatusCodes.Status304NotModified).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    [EndpointName("GetModelAtlas")]
    [EndpointSummary("The model's map of the 10,000 MNIST test digits: each digit's index, label, the model's answer and its place (x, y) in 2-D.")]
    [EndpointDescription("The digits are placed by UMAP of the model's own features (the output head's input: F6), so digits the model sees as alike lie close. " +
                         "Fitted once per model (a few seconds, the first time) and kept; POST /api/predict?details=true places an input on the same map. " +
                         "Sent Brotli- or gzip-compressed when the request accepts it; the ETag answers If-None-Match with 304.")]
    private static async Task<IResult> GetAsync(string id, ModelRegistry registry, AtlasService atlases, HttpContext context, CancellationToken cancellationToken)
    {
        var entry = registry.Get(id) ?? throw ModelProblems.UnknownModel(id);
        var atlas = await atlases.GetAsync(entry, cancellationToken);
        var response = context.Response;
        response.Headers.CacheControl = CacheControl;
        response.Headers.Vary = HeaderNames.AcceptEncoding;
        var (body, encoding) = Encoded(atlas, context.Request.GetTypedHeaders().AcceptEncoding);
        if (encoding is not null) response.Headers.ContentEncoding = encoding;
        return TypedResults.Bytes(body, WebJson.MediaType, entityTag: atlas.ETag);
    }

    // the smallest form the client takes (q=0 refuses one); identity when it names none
    private static (byte[] Body, string? Encoding) Encoded(ModelAtlas atlas, IList<StringWithQualityHeaderValue> accepted)
    {
        bool Takes(string coding) => accepted.Any(a => (a.Value == coding || a.Value == "*") && (a.Quality ?? 1) > 0)
                                      && !accepted.Any(a => a.Value == coding && a.Quality == 0);
        if (Takes("br")) return (atlas.Brotli, "br");
        if (Takes("gzip")) return (atlas.Gzip, "gzip");
        return (atlas.Json, null);
    }
}
