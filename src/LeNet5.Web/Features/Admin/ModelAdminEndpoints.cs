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
            .WithSummary("Removes a model and deletes its file; 409 for the active model.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static Results<Ok<ModelSummary>, ProblemHttpResult> Activate(string id, ModelRegistry registry, TrainingStore store)
    {
        if (!registry.SetActive(id)) return Problems.UnknownModel(id).ToResult();
        store.SetActiveModel(id);
        return TypedResults.Ok(ModelSummary.From(registry.Get(id)!, active: true));
    }

    private static Results<NoContent, ProblemHttpResult> Delete(string id, ModelRegistry registry) => registry.Remove(id) switch
    {
        RemoveOutcome.Removed => TypedResults.NoContent(),
        RemoveOutcome.Active => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
            title: $"'{id}' is the active model; activate another one (POST /api/models/OTHER/activate) before deleting it."),
        _ => Problems.UnknownModel(id).ToResult(),
    };
}
