using LeNet5.Web.Data;
using LeNet5.Web.Features.Admin;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LeNet5.Web.Features.Training;

/// <summary>The training API (admin only): start, list, watch, cancel and resume runs; their confusion matrix and mistakes.</summary>
public static class TrainingEndpoints
{
    public const int MaxBodyBytes = 64 * 1024;

    public static IServiceCollection AddTraining(this IServiceCollection services)
    {
        services.AddOptions<DataOptions>().BindConfiguration(DataOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<TrainingServiceOptions>().BindConfiguration(TrainingServiceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<TrainingStore>();
        services.AddSingleton<MnistSource>();
        services.AddSingleton<TrainingService>();
        services.AddHostedService(sp => sp.GetRequiredService<TrainingService>());
        return services;
    }

    public static IEndpointRouteBuilder MapTrainingEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/training")
            .WithTags("Training")
            .RequireAdmin()
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        group.MapPost("/", Start)
            .WithName("StartTraining")
            .WithSummary("Queues a training run; every setting is optional. 202 with the run's id, 409 while another run is queued or running.")
            .Accepts<TrainingRequest>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/", (TrainingService service) => TypedResults.Ok(service.List()))
            .WithName("ListTraining")
            .WithSummary("All runs, newest first.");
        group.MapGet("/{id:long}", Get)
            .WithName("GetTraining")
            .WithSummary("One run: status, progress, ETA, per-epoch errors and loss, SDLM learning rates per layer, the per-batch loss curve and the model it produced.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id:long}/events", Events)
            .WithName("TrainingEvents")
            .WithSummary("Server-Sent Events: 'state' on connect, 'progress' a few times a second, 'epoch' per finished epoch, and a final 'done', after which the stream closes.")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id:long}/cancel", Cancel)
            .WithName("CancelTraining")
            .WithSummary("Cancels a queued run, or stops a running one after its current batch (202; its status becomes 'canceled'); 409 once training is over and its model is being published.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{id:long}/resume", Resume)
            .WithName("ResumeTraining")
            .WithSummary("Queues an interrupted, canceled or failed run again, from its last checkpoint; an optional body {\"epochs\": N} changes its length.")
            .Accepts<ResumeRequest>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/{id:long}/confusion", Confusion)
            .WithName("TrainingConfusion")
            .WithSummary("The finished run's confusion matrix on the 10,000 MNIST test digits (rows: true label, columns: prediction).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id:long}/mistakes", Mistakes)
            .WithName("TrainingMistakes")
            .WithSummary("Misclassified MNIST test digits of the finished run, with true and predicted labels and their 784 pixels.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Accepted<RunAccepted>, ValidationProblem, ProblemHttpResult>> Start(HttpRequest request, TrainingService service)
    {
        var (body, tooLarge) = await ReadBody(request);
        if (tooLarge) return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The settings are too large; send a small JSON object.");
        var (settings, parseErrors) = TrainingRequest.Parse(body);
        if (settings is null) return Invalid(parseErrors);
        var (architecture, options, errors) = settings.Resolve(service.Threads);
        if (architecture is null || options is null) return Invalid(errors);
        var result = service.Enqueue(TrainingRequest.From(architecture, options), options.Epochs);
        return result.Outcome == RunCommandOutcome.Accepted
            ? TypedResults.Accepted($"/api/training/{result.Id}", new RunAccepted(result.Id, result.Status))
            : Refused(result);
    }

    private static Results<Ok<RunView>, ProblemHttpResult> Get(long id, TrainingService service) =>
        service.View(id, withLossCurve: true) is { } view ? TypedResults.Ok(view) : UnknownRun(id);

    private static Results<ServerSentEventsResult<string>, ProblemHttpResult> Events(long id, TrainingStore store, TrainingService service, HttpContext http) =>
        store.GetRun(id) is null ? UnknownRun(id) : TypedResults.ServerSentEvents(service.Events(id, http.RequestAborted));

    private static Results<Accepted<RunAccepted>, ProblemHttpResult> Cancel(long id, TrainingService service)
    {
        var result = service.Cancel(id);
        return result.Outcome == RunCommandOutcome.Accepted
            ? TypedResults.Accepted($"/api/training/{id}", new RunAccepted(id, result.Status))
            : Refused(result);
    }

    private static async Task<Results<Accepted<RunAccepted>, ValidationProblem, ProblemHttpResult>> Resume(long id, HttpRequest request, TrainingService service)
    {
        var (body, tooLarge) = await ReadBody(request);
        if (tooLarge) return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The body is too large; send {\"epochs\": N} or nothing.");
        var (settings, errors) = TrainingRequest.Parse(body);
        if (settings is null) return Invalid(errors);
        var result = service.Resume(id, settings.Epochs);
        return result.Outcome switch
        {
            RunCommandOutcome.Accepted => TypedResults.Accepted($"/api/training/{id}", new RunAccepted(id, result.Status)),
            RunCommandOutcome.Invalid => Invalid(new() { ["epochs"] = [result.Message!] }),
            _ => Refused(result),
        };
    }

    private static Results<Ok<ConfusionView>, ProblemHttpResult> Confusion(long id, TrainingStore store) =>
        store.GetRun(id) is not { } run ? UnknownRun(id)
        : store.GetConfusion(id) is { } matrix ? TypedResults.Ok(new ConfusionView(id, run.ModelId, run.TestAccuracy, matrix))
        : NotFinished(run);

    private static Results<Ok<MistakesView>, ProblemHttpResult> Mistakes(long id, TrainingStore store, MnistSource mnist, int? limit)
    {
        if (store.GetRun(id) is not { } run) return UnknownRun(id);
        if (store.GetConfusion(id) is not { } matrix) return NotFinished(run);
        var test = mnist.Load().Test;
        int total = matrix.Select((row, t) => row.Sum() - row[t]).Sum();
        var items = store.GetMistakes(id, Math.Clamp(limit ?? 48, 1, 10_000))
            .Select(m => new MistakeView(m.TestIndex, m.Label, m.Predicted, [.. test.Image(m.TestIndex).ToArray().Select(b => (int)b)]))
            .ToList();
        return TypedResults.Ok(new MistakesView(id, run.ModelId, total, items));
    }

    private static async Task<(byte[] Body, bool TooLarge)> ReadBody(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBodyBytes) return ([], true);
        }
        return (buffer.ToArray(), false);
    }

    private static ValidationProblem Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors,
            title: $"Invalid training settings: {string.Join("; ", errors.SelectMany(e => e.Value))}.",
            detail: "Fix the fields named in 'errors'; every setting is optional.");

    private static ProblemHttpResult Refused(RunCommandResult result) => result.Outcome == RunCommandOutcome.NotFound
        ? UnknownRun(result.Id)
        : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: result.Message ?? $"Run {result.Id} is {result.Status}.");

    private static ProblemHttpResult UnknownRun(long id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"There is no training run {id}; GET /api/training lists the runs.");

    private static ProblemHttpResult NotFinished(RunRecord run) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
            title: $"Run {run.Id} is {run.Status}; the confusion matrix and mistakes exist once a run has completed.");
}
