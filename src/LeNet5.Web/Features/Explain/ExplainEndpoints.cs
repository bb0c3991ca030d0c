using LeNet5.Web.Features.Predict;
using Serilog;

namespace LeNet5.Web.Features.Explain;

/// <summary><c>POST /api/explain</c>, <c>POST /api/explain/nudge</c> and <c>GET /api/models/{id}/dreams</c>.</summary>
public static class ExplainEndpoints
{
    // rate-limit permits, against a canvas prediction's one: a saliency map is a forward and a backward
    // pass (a few ms); a nudge is up to 200 of them (16-24 ms); dreams, a few hundred per digit, once per model
    private const int ExplainCost = 3, NudgeCost = 10, DreamsCost = 10;

    public static IEndpointRouteBuilder MapExplainEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/explain").WithTags("Explain").ProducesInputProblems();
        group.MapPost("/", ExplainAsync).Costs(ExplainCost).DocumentImageBody<PredictJsonRequest>(PredictRequestReader.ImageField, rawImages: true);
        group.MapPost("/nudge", NudgeAsync).Costs(NudgeCost).DocumentImageBody<PredictJsonRequest>(PredictRequestReader.ImageField, rawImages: true);

        app.MapGet("/api/models/{id}/dreams", DreamsAsync).Costs(DreamsCost).WithTags("Explain").Produces<DreamResponse[]>().Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable).ProducesProblem(StatusCodes.Status429TooManyRequests);
        return app;
    }

    [EndpointName("Explain")]
    [EndpointSummary("Why this digit: the gradient of the evidence for a digit with respect to the prepared 28x28 pixels (a saliency map).")]
    [EndpointDescription("The same bodies, limits and errors as POST /api/predict. target=D (0-9) explains the evidence for D; " +
                         "left out, for the digit read. The evidence is minus the distance to D's prototype (RBF models) or D's logit (softmax).")]
    private static async Task<Ok<ExplainResponse>> ExplainAsync([AsParameters] ImageRequest image, ExplainService explainer, [FromQuery] string? target)
    {
        int? digit = string.IsNullOrEmpty(target) ? null : ParseTarget(target);
        var (entry, input) = await image.ReadAsync();
        var answer = await image.ComputeAsync(() => explainer.ExplainAsync(entry, input, digit, image.Cancellation));
        image.Log.Set("Digit", answer.Digit);
        image.Log.Set("Target", answer.Target);
        return TypedResults.Ok(answer);
    }

    [EndpointName("Nudge")]
    [EndpointSummary("Nudge it: the small change to the drawing that makes the network read the target digit.")]
    [EndpointDescription("The same bodies, limits and errors as POST /api/predict; target=D (0-9) is required. Projected gradient steps on " +
                         "the prepared 28x28 pixels, no pixel moving more than 160 levels, at most 200 steps, stopping when the network reads D.")]
    private static async Task<Ok<NudgeResponse>> NudgeAsync([AsParameters] ImageRequest image, ExplainService explainer, [FromQuery] string? target)
    {
        int digit = ParseTarget(target);
        var (entry, input) = await image.ReadAsync();
        var answer = await image.ComputeAsync(() => explainer.NudgeAsync(entry, input, digit, image.Cancellation));
        image.Log.Set("Target", digit);
        image.Log.Set("Reached", answer.Reached);
        return TypedResults.Ok(answer);
    }

    [EndpointName("Dreams")]
    [EndpointSummary("What the network thinks each digit looks like: ten inputs found by gradient ascent on the input, computed once per model.")]
    [EndpointDescription("Each item's pixels, sent back as {\"pixels\": [...]} to POST /api/predict?model={id}, are read as its digit. " +
                         "The ETag answers If-None-Match with 304.")]
    private static async Task<FileContentHttpResult> DreamsAsync(string id, ModelRegistry registry, ExplainService explainer, CancellationToken cancellationToken) =>
        (await explainer.DreamsAsync(registry.Get(id) ?? throw ModelProblems.UnknownModel(id), cancellationToken)).ToResult(WebJson.MediaType);

    private static int ParseTarget(string? target) =>
        Digit.TryParse(target, out int d) ? d : throw ExplainProblems.BadTarget(target);
}
