using LeNet5.Imaging;
using Serilog;

namespace LeNet5.Web.Features.Predict;

/// <summary><c>POST /api/predict</c> and <c>POST /api/predict/batch</c>.</summary>
public static class PredictEndpoints
{
    /// <summary>
    /// The rate-limit permits a large image costs (see <see cref="LimitsOptions.LargeImageBytes"/>):
    /// decoding a 4096x4096 image takes 100-200 ms of CPU against a canvas drawing's one or two.
    /// </summary>
    public const int LargeImageCost = 20;

    /// <summary>A batch's permits: its images together hold at most Limits:MaxBatchPixels, one large image's worth.</summary>
    public const int BatchCost = LargeImageCost;

    public static IEndpointRouteBuilder MapPredictEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/predict")
            .WithTags("Predict")
            .ProducesInputProblems();

        group.MapPost("/", PredictAsync).DocumentImageBody<PredictJsonRequest>(PredictRequestReader.ImageField, rawImages: true);
        group.MapPost("/batch", PredictBatchAsync).Costs(BatchCost).DocumentImageBody<BatchJsonRequest>(PredictRequestReader.BatchField, rawImages: false);
        return app;
    }

    [EndpointName("Predict")]
    [EndpointSummary("Recognise the digit in one image.")]
    [EndpointDescription("The body is a raw image (" + ImageFormats.Names + "; a GIF's first frame), multipart/form-data with the file in the field " +
                         "'image', or JSON {\"image\": \"data:image/png;base64,...\"} or {\"pixels\": [784 numbers]}. " +
                         "details=true adds the 784 input pixels, every layer's activations and, for RBF models, the distances.")]
    private static async Task<Ok<PredictResponse>> PredictAsync([AsParameters] ImageRequest image, PredictionService predictor, [FromQuery] bool? details)
    {
        var (entry, input) = await image.ReadAsync();
        var answer = await image.ComputeAsync(() => predictor.PredictAsync(entry, input, details ?? false, image.Cancellation));
        image.Log.Set("Digit", answer.Digit);
        image.Log.Set("Rejected", answer.Rejected);
        return TypedResults.Ok(answer);
    }

    [EndpointName("PredictBatch")]
    [EndpointSummary("Recognise the digits in several images, answered in the same order.")]
    [EndpointDescription("multipart/form-data with any number of files in the field 'images', or JSON {\"images\": [...]} " +
                         "whose items are data URL strings or {\"image\": ...} / {\"pixels\": [...]} objects.")]
    private static async Task<Ok<PredictResponse[]>> PredictBatchAsync([AsParameters] ImageRequest images, PredictionService predictor, [FromQuery] bool? details)
    {
        var (entry, inputs) = await images.ReadBatchAsync();
        images.Log.Set("Images", inputs.Count);
        var answers = await images.ComputeAsync(async () =>
        {
            var answers = new PredictResponse[inputs.Count];
            for (int i = 0; i < inputs.Count; i++)
                answers[i] = await predictor.PredictAsync(entry, inputs[i], details ?? false, images.Cancellation, $"images[{i}]");
            return answers;
        });
        return TypedResults.Ok(answers);
    }
}
