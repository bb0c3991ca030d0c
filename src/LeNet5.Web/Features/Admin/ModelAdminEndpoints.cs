using LeNet5.Web.Data;
using LeNet5.Web.Features.Models;
using LeNet5.Web.Infrastructure;
using LeNet5.Web.Models;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LeNet5.Web.Features.Admin;

/// <summary><c>POST /api/models/{id}/activate</c> and <c>DELETE /api/models/{id}</c> (admin only).</summary>
public static class ModelAdminEndpoints
{
    public static IEndpointRouteBuilder MapModelAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/models")
            .WithTags("Models")
            .RequireAdmin()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/activate", Activate)
            .WithName("ActivateModel")
            .WithSummary("Makes this model the one that answers when a request names none; the switch is atomic and survives restarts.");
        group.MapDelete("/{id}", Delete)
            .WithName("DeleteModel")
            .WithSummary("Deletes a model's file and removes it (shipped or trained); 409 for the active model, 500 when the file cannot be deleted (the model stays).")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status500InternalServerError);
        return app;
    }

    private static Results<Ok<ModelSummary>, ProblemHttpResult> Activate(string id, ModelRegistry registry, TrainingStore store) =>
        // the database write and the registry switch happen under the registry's lock: a concurrent delete cannot interleave
        registry.SetActive(id, store.SetActiveModel) is { } entry
            ? TypedResults.Ok(ModelSummary.From(entry, active: true))
            : Problems.UnknownModel(id).ToResult();

    private static Results<NoContent, ProblemHttpResult> Delete(string id, ModelRegistry registry) => registry.Remove(id, out var error) switch
    {
        RemoveOutcome.Removed => TypedResults.NoContent(),
        RemoveOutcome.Active => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
            title: $"'{id}' is the active model; activate another one (POST /api/models/OTHER/activate) before deleting it."),
        RemoveOutcome.Failed => TypedResults.Problem(statusCode: StatusCodes.Status500InternalServerError,
            title: $"The file of model '{id}' could not be deleted, so the model stays loaded; check the models folder's permissions and try again.",
            detail: error),
        _ => Problems.UnknownModel(id).ToResult(),
    };
}
