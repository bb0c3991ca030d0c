using LeNet5.Imaging;
using Serilog;

namespace LeNet5.Web.Features.Predict;

/// <summary><c>POST /api/predict</c> and <c>POST /api/predict/batch</c>.</summary>
public static class PredictEndpoints
{
    /// <summary>
    /// The rate-limit permits a large picture costs (see <see cref="LimitsOptions.LargePictureBytes"/>):
    /// decoding a 4096x4096 picture takes 100-200 ms of CPU against a canvas drawing's one or two.
    /// </summary>
    public const int LargePictureCost = 20;

    /// <summary>A batch's permits: its pictures together hold at most Limits:MaxBatchPixels, one large picture's worth.</summary>
    public const int BatchCost = LargePictureCost;

    public static IEndpointRouteBuilder MapPredictEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/predict")
            .WithTags("Predict")
            .ProducesInputProblems();

        group.MapPost("/", PredictAsync).DocumentPictureBody<PredictJsonRequest>(PredictRequestReader.ImageField, rawImages: true);
        group.MapPost("/batch", PredictBatchAsync).Costs(BatchCost).DocumentPictureBody<BatchJsonRequest>(PredictRequestReader.BatchField, rawImages: false);
        return app;
    }

    [EndpointName("Predict")]
    [EndpointSummary("Recognise the digit in one image.")]
    [EndpointDescription("The body is a raw image (" + PictureFormats.Names + "; a GIF's first frame), multipart/form-data with the file in the field " +
                         "'image', or JSON {\"image\": \"data:image/png;base64,...\"} or {\"pixels\": [784 numbers]}. " +
                         "details=true adds the 784 input pixels, every layer's activations and, for RBF models, the distances.")]
    private static async Task<Ok<PredictResponse>> PredictAsync([AsParameters] PictureRequest picture, PredictionService predictor, [FromQuery] bool? details)
    {
        var (entry, input) = await picture.ReadAsync();
        var answer = await picture.ComputeAsync(() => predictor.PredictAsync(entry, input, details ?? false, picture.Cancellation));
        picture.Log.Set("Digit", answer.Digit);
        picture.Log.Set("Rejected", answer.Rejected);
        return TypedResults.Ok(answer);
    }

    [EndpointName("PredictBatch")]
    [EndpointSummary("Recognise the digits in several images, answered in the same order.")]
    [EndpointDescription("multipart/form-data with any number of files in the field 'images', or JSON {\"images\": [...]} " +
                         "whose items are data URL strings or {\"image\": ...} / {\"pixels\": [...]} objects.")]
    private static async Task<Ok<PredictResponse[]>> PredictBatchAsync([AsParameters] PictureRequest pictures, PredictionService predictor, [FromQuery] bool? details)
    {
        var (entry, inputs) = await pictures.ReadBatchAsync();
        pictures.Log.Set("Images", inputs.Count);
        var answers = await pictures.ComputeAsync(async () =>
        {
            var answers = new PredictResponse[inputs.Count];
            for (int i = 0; i < inputs.Count; i++)
                answers[i] = await predictor.PredictAsync(entry, inputs[i], details ?? false, pictures.Cancellation, $"images[{i}]");
            return answers;
        });
        return TypedResults.Ok(answers);
    }
}
