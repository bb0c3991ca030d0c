using LeNet5.Web.Infrastructure;
using LeNet5.Web.Models;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LeNet5.Web.Features.Models;

/// <summary><c>GET /api/models</c>, <c>GET /api/models/{id}</c> and <c>GET /api/models/{id}/file</c>.</summary>
public static class ModelEndpoints
{
    public const string SafetensorsMediaType = "application/octet-stream";

    public static IEndpointRouteBuilder MapModelEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/models")
            .WithTags("Models")
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        group.MapGet("/", List)
            .WithName("ListModels")
            .WithSummary("The loaded models: id, architecture, options, test accuracy, file size and which one is active.");
        group.MapGet("/{id}", Get)
            .WithName("GetModel")
            .WithSummary("One model with its layers and the metadata of the run that made it.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id}/file", Download)
            .WithName("DownloadModel")
            .WithSummary("The model's .safetensors file.")
            .Produces(StatusCodes.Status200OK, contentType: SafetensorsMediaType)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static Ok<ModelSummary[]> List(ModelRegistry registry)
    {
        var activeId = registry.Active?.Id;
        return TypedResults.Ok(registry.List().Select(m => ModelSummary.From(m, m.Id == activeId)).ToArray());
    }

    private static Results<Ok<ModelDetails>, ProblemHttpResult> Get(string id, ModelRegistry registry) =>
        registry.Get(id) is { } entry
            ? TypedResults.Ok(ModelDetails.From(entry, entry.Id == registry.Active?.Id))
            : Problems.UnknownModel(id).ToResult();

    private static Results<FileContentHttpResult, ProblemHttpResult> Download(string id, ModelRegistry registry) =>
        registry.Get(id) is { } entry
            ? TypedResults.Bytes(entry.FileBytes, SafetensorsMediaType, entry.Id + ModelRegistry.FileExtension, lastModified: entry.LoadedAt)
            : Problems.UnknownModel(id).ToResult();
}
