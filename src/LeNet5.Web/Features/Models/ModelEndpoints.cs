using LeNet5.Onnx;
using LeNet5.Web.Features.Admin;

namespace LeNet5.Web.Features.Models;

/// <summary>
/// <c>GET /api/models</c>, <c>/api/models/{id}</c>, <c>/api/models/{id}/parameters</c> and <c>/api/models/{id}/file[?format=onnx]</c> for everyone;
/// <c>POST /api/models/{id}/activate</c> and <c>DELETE /api/models/{id}</c> for the admin. Each
/// handler documents itself for the OpenAPI document.
/// </summary>
public static class ModelEndpoints
{
    public const string SafetensorsMediaType = "application/octet-stream";
    public const string Safetensors = "safetensors";
    public const string Onnx = "onnx";

    /// <summary>The forms <c>/api/models/{id}/file?format=</c> serves, the first by default.</summary>
    public static readonly IReadOnlyList<string> FileFormats = [Safetensors, Onnx];

    // rate-limit permits, against a canvas prediction's one: a multi-million-parameter model's file or
    // parameters are megabytes to send, and computing them the first time is heavy work
    private const int ParametersCost = 5, FileCost = 5;

    public static IEndpointRouteBuilder MapModelEndpoints(this IEndpointRouteBuilder app)
    {
        var models = app.MapGroup("/api/models").WithTags("Models").ProducesProblem(StatusCodes.Status429TooManyRequests);
        models.MapGet("/", List);
        models.MapGet("/{id}", Get).ProducesProblem(StatusCodes.Status404NotFound);
        models.MapGet("/{id}/parameters", GetParametersAsync).Costs(ParametersCost).Produces<ModelParameters>().Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        models.MapGet("/{id}/file", DownloadAsync).Costs(FileCost).Produces(StatusCodes.Status200OK, contentType: SafetensorsMediaType)
            .Produces(StatusCodes.Status304NotModified).ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);

        var admin = app.MapGroup("/api/models").WithTags("Models").RequireAdmin().ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapPost("/{id}/activate", Activate);
        admin.MapDelete("/{id}", Delete).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status500InternalServerError);
        return app;
    }

    [EndpointName("ListModels")]
    [EndpointSummary("The loaded models: id, architecture, options, test accuracy, file size and which one is active.")]
    private static Ok<ModelSummary[]> List(ModelRegistry registry)
    {
        var activeId = registry.Active?.Id;
        return TypedResults.Ok(registry.List().Select(m => ModelSummary.From(m, m.Id == activeId)).ToArray());
    }

    [EndpointName("GetModel")]
    [EndpointSummary("One model with its layers and the metadata of the run that made it.")]
    private static Ok<ModelDetails> Get(string id, ModelRegistry registry) =>
        TypedResults.Ok(ModelDetails.From(Find(registry, id), id == registry.Active?.Id));

    [EndpointName("GetModelParameters")]
    [EndpointSummary("The weights of the layers that have any (kernels, biases, subsampling coefficients, C3's connection table), for inspecting units.")]
    [EndpointDescription("layers=c1,c3 answers only those layers; left out, every layer with parameters. One answer holds at most " +
                         "Models:MaxParameterValues values: a layer that does not fit is listed without them and named in 'omitted'. " +
                         "Computed once per model; the ETag answers If-None-Match with 304.")]
    private static async Task<FileContentHttpResult> GetParametersAsync(string id, ModelRegistry registry, ModelAnswers answers, IOptions<ModelOptions> options,
        [FromQuery] string? layers, CancellationToken cancellationToken)
    {
        var entry = Find(registry, id);
        HashSet<string>? only = null;
        if (!string.IsNullOrWhiteSpace(layers))
        {
            only = [.. layers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
            var known = ModelParameters.LayersWithParameters(entry).ToHashSet();
            if (only.FirstOrDefault(n => !known.Contains(n)) is { } unknown) throw ModelProblems.UnknownLayers(unknown, known);
        }
        // one kept answer per set of layers, named in the model's order
        var name = only is null ? "parameters" : "parameters?layers=" + string.Join(',', ModelParameters.LayersWithParameters(entry).Where(only.Contains));
        int maxValues = options.Value.MaxParameterValues;
        var answer = await answers.GetAsync(entry, name,
            () => JsonSerializer.SerializeToUtf8Bytes(ModelParameters.From(entry, only, maxValues), WebJson.Options), cancellationToken);
        return answer.ToResult(WebJson.MediaType);
    }

    [EndpointName("DownloadModel")]
    [EndpointSummary("The model's .safetensors file, or with format=onnx the same network as ONNX (opset 17: input 'pixels' [N,1,28,28] in 0-255, outputs 'probabilities' and, for RBF models, 'distances').")]
    [EndpointDescription("The ONNX file is written once per model; its ETag answers If-None-Match with 304.")]
    private static async Task<FileContentHttpResult> DownloadAsync(string id, string? format, ModelRegistry registry, ModelAnswers answers, CancellationToken cancellationToken)
    {
        var entry = Find(registry, id);
        switch ((format ?? Safetensors).ToLowerInvariant())
        {
            case Safetensors:
                return TypedResults.Bytes(entry.FileBytes, SafetensorsMediaType, entry.Id + ModelRegistry.FileExtension, lastModified: entry.LoadedAt);
            case Onnx:
                var onnx = await answers.GetAsync(entry, Onnx, () => OnnxExport.Serialize(entry.Model, entry.Id + ModelRegistry.FileExtension), cancellationToken);
                return onnx.ToResult(OnnxExport.MediaType, entry.Id + ".onnx", entry.LoadedAt);
            default:
                throw ModelProblems.UnknownFileFormat(format!, FileFormats);
        }
    }

    [EndpointName("ActivateModel")]
    [EndpointSummary("Makes this model the one that answers when a request names none; the switch is atomic and survives restarts.")]
    private static Ok<ModelSummary> Activate(string id, ModelRegistry registry) =>
        TypedResults.Ok(ModelSummary.From(registry.Activate(id) ?? throw ModelProblems.UnknownModel(id), active: true));

    [EndpointName("DeleteModel")]
    [EndpointSummary("Deletes a model: a trained one from the database, on every replica; a shipped one's file, on this replica. 409 for the active model, 500 when a file cannot be deleted (the model stays).")]
    private static NoContent Delete(string id, ModelRegistry registry, ModelAnswers answers)
    {
        answers.Forget(registry.Remove(id)); // its ONNX file and the rest need not wait for the cache to push them out
        return TypedResults.NoContent();
    }

    private static ModelEntry Find(ModelRegistry registry, string id) => registry.Get(id) ?? throw ModelProblems.UnknownModel(id);
}
