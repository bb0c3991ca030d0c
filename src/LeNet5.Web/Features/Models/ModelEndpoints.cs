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

    public static IEndpointRouteBuilder MapModelEndpoints(this IEndpointRouteBuilder app)
    {
        var models = app.MapGroup("/api/models").WithTags("Models").ProducesProblem(StatusCodes.Status429TooManyRequests);
        models.MapGet("/", List);
        models.MapGet("/{id}", Get).ProducesProblem(StatusCodes.Status404NotFound);
        models.MapGet("/{id}/parameters", GetParameters).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        models.MapGet("/{id}/file", Download).Produces(StatusCodes.Status200OK, contentType: SafetensorsMediaType)
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
    [EndpointDescription("layers=c1,c3 answers only those layers; left out, every layer with parameters.")]
    private static Ok<ModelParameters> GetParameters(string id, ModelRegistry registry, [FromQuery] string? layers)
    {
        var entry = Find(registry, id);
        HashSet<string>? only = null;
        if (!string.IsNullOrWhiteSpace(layers))
        {
            only = [.. layers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
            var known = ModelParameters.LayersWithParameters(entry).ToHashSet();
            if (only.FirstOrDefault(n => !known.Contains(n)) is { } unknown) throw Problems.UnknownLayers(unknown, known);
        }
        return TypedResults.Ok(ModelParameters.From(entry, only));
    }

    [EndpointName("DownloadModel")]
    [EndpointSummary("The model's .safetensors file, or with format=onnx the same network as ONNX (opset 17: input 'pixels' [N,1,28,28] in 0-255, outputs 'probabilities' and, for RBF models, 'distances').")]
    private static FileContentHttpResult Download(string id, string? format, ModelRegistry registry)
    {
        var entry = Find(registry, id);
        return (format ?? Safetensors).ToLowerInvariant() switch
        {
            Safetensors => TypedResults.Bytes(entry.FileBytes, SafetensorsMediaType, entry.Id + ModelRegistry.FileExtension, lastModified: entry.LoadedAt),
            // written on request: a few milliseconds for lenet5, and no second copy of every model kept in memory
            Onnx => TypedResults.Bytes(OnnxExport.Serialize(entry.Model, entry.Id + ModelRegistry.FileExtension), OnnxExport.MediaType, entry.Id + ".onnx", lastModified: entry.LoadedAt),
            _ => throw Problems.UnknownFileFormat(format!, FileFormats),
        };
    }

    [EndpointName("ActivateModel")]
    [EndpointSummary("Makes this model the one that answers when a request names none; the switch is atomic and survives restarts.")]
    private static Ok<ModelSummary> Activate(string id, ModelRegistry registry) =>
        TypedResults.Ok(ModelSummary.From(registry.Activate(id) ?? throw Problems.UnknownModel(id), active: true));

    [EndpointName("DeleteModel")]
    [EndpointSummary("Deletes a model's file and removes it (shipped or trained); 409 for the active model, 500 when the file cannot be deleted (the model stays).")]
    private static NoContent Delete(string id, ModelRegistry registry) => registry.Remove(id, out var error) switch
    {
        RemoveOutcome.Removed => TypedResults.NoContent(),
        RemoveOutcome.Active => throw Problems.ActiveModelKept(id),
        RemoveOutcome.Failed => throw Problems.ModelFileKept(id, error),
        _ => throw Problems.UnknownModel(id),
    };

    private static ModelEntry Find(ModelRegistry registry, string id) => registry.Get(id) ?? throw Problems.UnknownModel(id);
}
