using LeNet5.Web.Features.Training;
using Microsoft.Net.Http.Headers;

namespace LeNet5.Web.Features.TestSet;

/// <summary>
/// <c>GET /api/mnist/test/{index}</c>: one MNIST test digit with its label; <c>GET /api/mnist/test/pixels?indices=</c>:
/// many digits' pixels at once; <c>GET /api/models/{id}/test-set</c>: a model's results on all of them. For everyone.
/// </summary>
public static class TestSetEndpoints
{
    /// <summary>MNIST's test set holds 10,000 digits; the verified files never change, so neither does an answer.</summary>
    public const int Count = 10_000;

    /// <summary>The most digits one pixels answer holds: two pages of the test-set page's thumbnails, 78 KB.</summary>
    public const int MaxPixelsBatch = 100;

    public const string PixelsMediaType = "application/octet-stream";

    // the files are checked against their hashes when fetched, so a digit's answer is the same on every
    // replica and across restarts: browsers and proxies may keep it for a day, and revalidate by its tag
    private const string CacheControl = "public, max-age=86400";

    // rate-limit permits, against a canvas prediction's one: the first answer of a model reads all 10,000
    // digits (about a second of a core), later ones are kept bytes, as a model's parameters are
    private const int ResultsCost = 5;

    public static IEndpointRouteBuilder MapTestSetEndpoints(this IEndpointRouteBuilder app)
    {
        var mnist = app.MapGroup("/api/mnist/test").WithTags("TestSet").ProducesProblem(StatusCodes.Status429TooManyRequests);
        // a literal segment outranks {index}, so "pixels" is never read as an index
        mnist.MapGet("/pixels", GetPixels).Costs(RequestCost.Plain)
            .Produces(StatusCodes.Status200OK, contentType: PixelsMediaType).ProducesProblem(StatusCodes.Status400BadRequest);
        mnist.MapGet("/{index}", Get).Costs(RequestCost.Plain)
            .Produces<TestDigit>().Produces(StatusCodes.Status304NotModified).ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGet("/api/models/{id}/test-set", GetResultsAsync).WithTags("TestSet").Costs(ResultsCost)
            .Produces<TestSetResults>().Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable).ProducesProblem(StatusCodes.Status429TooManyRequests);
        return app;
    }

    [EndpointName("GetTestDigit")]
    [EndpointSummary("One MNIST test digit: its index, its true label and its 784 pixels, as POST /api/predict takes them.")]
    [EndpointDescription("index is 0-9999; anything else is a 404 problem. The ETag answers If-None-Match with 304.")]
    private static FileContentHttpResult Get(string index, MnistSource mnist, HttpResponse response)
    {
        if (!TryParseIndex(index, out int i)) throw TestSetProblems.UnknownTestDigit(index, Count);
        var test = mnist.Load().Test;
        var digit = new TestDigit(i, test.Labels[i], [.. test.Image(i).ToArray().Select(b => (int)b)]);
        response.Headers.CacheControl = CacheControl;
        return TypedResults.Bytes(JsonSerializer.SerializeToUtf8Bytes(digit, WebJson.Options), WebJson.MediaType,
            entityTag: new EntityTagHeaderValue($"\"mnist-test-{i}\""));
    }

    [EndpointName("GetTestDigitPixels")]
    [EndpointSummary("Many MNIST test digits' pixels at once: 784 bytes per digit (28x28 row-major, 0 background, 255 ink), in the order asked.")]
    [EndpointDescription("indices=3,17,42 names 1 to 100 digits, each 0-9999 (a repeat is answered again); anything else is a 400 problem. " +
                         "The answer of the same indices never changes: it may be kept for a day.")]
    private static FileContentHttpResult GetPixels([FromQuery] string? indices, MnistSource mnist, HttpResponse response)
    {
        var asked = (indices ?? "").Split(',');
        if (asked.Length > MaxPixelsBatch) throw TestSetProblems.BadIndices(indices, Count, MaxPixelsBatch);
        var order = new int[asked.Length];
        for (int k = 0; k < asked.Length; k++)
            if (!TryParseIndex(asked[k], out order[k])) throw TestSetProblems.BadIndices(indices, Count, MaxPixelsBatch);
        var test = mnist.Load().Test;
        var bytes = new byte[order.Length * MnistSplit.Pixels];
        for (int k = 0; k < order.Length; k++) test.Image(order[k]).CopyTo(bytes.AsSpan(k * MnistSplit.Pixels));
        response.Headers.CacheControl = CacheControl;
        return TypedResults.Bytes(bytes, PixelsMediaType);
    }

    [EndpointName("GetTestSetResults")]
    [EndpointSummary("A model on the 10,000 MNIST test digits: its accuracy overall and per digit, its confusion matrix, and the test digits in each cell of it.")]
    [EndpointDescription("Computed once per model with the engine's evaluation (the one training reports its test accuracy with), in a turn of the heavy-work cap; " +
                         "an unknown model is a 404 problem. The ETag answers If-None-Match with 304.")]
    private static async Task<FileContentHttpResult> GetResultsAsync(string id, ModelRegistry registry, TestSetEvaluations evaluations, CancellationToken cancellationToken) =>
        (await evaluations.GetAsync(registry.Get(id) ?? throw ModelProblems.UnknownModel(id), cancellationToken)).ToResult(WebJson.MediaType);

    /// <summary>An index of the test set: digits only (no sign, no spaces), below <see cref="Count"/>.</summary>
    private static bool TryParseIndex(string text, out int index) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out index) && index < Count;
}
