using LeNet5.Web.Features.Admin;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace LeNet5.Web.Features.Models;

/// <summary>
/// <c>GET /api/models</c>, <c>/api/models/{id}</c>, <c>/api/models/{id}/parameters</c> and <c>/api/models/{id}/file</c> for everyone;
/// <c>POST /api/models/{id}/activate</c> and <c>DELETE /api/models/{id}</c> for the admin. Each
/// handler documents itself for the OpenAPI document.
/// </summary>
public static class ModelEndpoints
{
    public const string SafetensorsMediaType = "application/octet-stream";

    public static IEndpointRouteBuilder MapModelEndpoints(this IEndpointRouteBuilder app)
    {
        var models = app.MapGroup("/api/models").WithTags("Models").ProducesProblem(StatusCodes.Status429TooManyRequests);
        models.MapGet("/", List);
        models.MapGet("/{id}", Get).ProducesProblem(StatusCodes.Status404NotFound);
        models.MapGet("/{id}/parameters", GetParameters).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        models.MapGet("/{id}/file", Download).Produces(StatusCodes.Status200OK, contentType: SafetensorsMediaType).ProducesProblem(StatusCodes.Status404NotFound);

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
    [EndpointSummary("The model's .safetensors file.")]
    private static FileContentHttpResult Download(string id, ModelRegistry registry)
    {
        var entry = Find(registry, id);
        return TypedResults.Bytes(entry.FileBytes, SafetensorsMediaType, entry.Id + ModelRegistry.FileExtension, lastModified: entry.LoadedAt);
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
        RemoveOutcome.Active => throw Problems.Conflict(
            $"'{id}' is the active model; activate another one (POST /api/models/OTHER/activate) before deleting it."),
        RemoveOutcome.Failed => throw new ApiProblem(StatusCodes.Status500InternalServerError,
            $"The file of model '{id}' could not be deleted, so the model stays loaded; check the models folder's permissions and try again.", error),
        _ => throw Problems.UnknownModel(id),
    };

    private static ModelEntry Find(ModelRegistry registry, string id) => registry.Get(id) ?? throw Problems.UnknownModel(id);
}
