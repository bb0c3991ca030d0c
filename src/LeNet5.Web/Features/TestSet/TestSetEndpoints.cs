using LeNet5.Web.Features.Training;
using Microsoft.Net.Http.Headers;

namespace LeNet5.Web.Features.TestSet;

/// <summary><c>GET /api/mnist/test/{index}</c>: one MNIST test digit with its label, for everyone.</summary>
public static class TestSetEndpoints
{
    /// <summary>MNIST's test set holds 10,000 digits; the verified files never change, so neither does an answer.</summary>
    public const int Count = 10_000;

    // the files are checked against their hashes when fetched, so a digit's answer is the same on every
    // replica and across restarts: browsers and proxies may keep it for a day, and revalidate by its tag
    private const string CacheControl = "public, max-age=86400";

    public static IEndpointRouteBuilder MapTestSetEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/mnist/test/{index}", Get).WithTags("TestSet").Costs(RequestCost.Plain)
            .Produces<TestDigit>().Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status429TooManyRequests);
        return app;
    }

    [EndpointName("GetTestDigit")]
    [EndpointSummary("One MNIST test digit: its index, its true label and its 784 pixels, as POST /api/predict takes them.")]
    [EndpointDescription("index is 0-9999; anything else is a 404 problem. The ETag answers If-None-Match with 304.")]
    private static FileContentHttpResult Get(string index, MnistSource mnist, HttpResponse response)
    {
        if (!int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out int i) || i >= Count)
            throw TestSetProblems.UnknownTestDigit(index, Count);
        var test = mnist.Load().Test;
        var digit = new TestDigit(i, test.Labels[i], [.. test.Image(i).ToArray().Select(b => (int)b)]);
        response.Headers.CacheControl = CacheControl;
        return TypedResults.Bytes(JsonSerializer.SerializeToUtf8Bytes(digit, WebJson.Options), WebJson.MediaType,
            entityTag: new EntityTagHeaderValue($"\"mnist-test-{i}\""));
    }
}
