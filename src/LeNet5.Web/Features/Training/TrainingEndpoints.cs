using LeNet5.Web.Features.Admin;

namespace LeNet5.Web.Features.Training;

/// <summary>The training API (admin only): start, list, watch, cancel and resume runs; their confusion matrix and mistakes; the recipes.</summary>
public static class TrainingEndpoints
{
    public static IEndpointRouteBuilder MapTrainingEndpoints(this IEndpointRouteBuilder app)
    {
        var training = app.MapGroup("/api/training").WithTags("Training").RequireAdmin();
        training.MapPost("/", Start).Accepts<TrainingSettings>("application/json").ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);
        training.MapGet("/", List);
        training.MapGet("/recipes", Recipes);

        // one run's routes answer 404 for a run that does not exist
        var run = training.MapGroup("/{id:long}").ProducesProblem(StatusCodes.Status404NotFound);
        run.MapGet("/", Get);
        run.MapGet("/events", Events).Produces(StatusCodes.Status200OK, contentType: "text/event-stream");
        run.MapPost("/cancel", Cancel).ProducesProblem(StatusCodes.Status409Conflict);
        run.MapPost("/resume", Resume).Accepts<ResumeRequest>("application/json").ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);
        run.MapGet("/confusion", Confusion);
        run.MapGet("/mistakes", Mistakes);
        return app;
    }

    [EndpointName("StartTraining")]
    [EndpointSummary("Queues a training run; every setting is optional (the network's recipe fills in the rest). 202 with the run's id, 409 while another run is queued or running.")]
    [EndpointDescription("Beside the engine's settings: correctionsWeight N (1 to 1000) also trains on the accepted corrections, each counted N times an epoch; " +
                         "baseModel ID starts from that model's parameters (fine-tuning; the run's network is the model's). " +
                         "Every run reports its error on the corrections test set per epoch (extraTestError) when there are accepted test drawings.")]
    private static async Task<Accepted<RunAccepted>> Start(HttpRequest request, TrainingRuns runs, ModelRegistry registry, IOptions<TrainingServiceOptions> options)
    {
        var (settings, inputs) = await ReadSettingsAsync(request);
        return Answer(runs.Start(TrainingRequest.Plan(settings, inputs, registry, options.Value.EffectiveThreads)));
    }

    /// <summary>Runs per page unless the request asks for fewer (or more, up to <see cref="MaxPage"/>).</summary>
    public const int DefaultPage = 50, MaxPage = 500;

    [EndpointName("ListTraining")]
    [EndpointSummary("Runs, newest first, a page at a time: ?limit=N (default 50, at most 500) and ?before=ID for the runs older than run ID.")]
    private static Ok<IReadOnlyList<RunView>> List(RunViews views, int? limit, long? before) =>
        TypedResults.Ok(views.List(Math.Clamp(limit ?? DefaultPage, 1, MaxPage), before));

    [EndpointName("TrainingRecipes")]
    [EndpointSummary("The settings each network trains with when a request leaves them out: every architecture with each output.")]
    private static Ok<IReadOnlyList<TrainingSettings>> Recipes() => TypedResults.Ok(TrainingSettings.Recipes());

    [EndpointName("GetTraining")]
    [EndpointSummary("One run: status, the replica training it (trainer), progress, ETA, per-epoch errors and loss, SDLM learning rates per layer, the per-batch loss curve and the model it produced.")]
    private static Ok<RunView> Get(long id, RunViews views) =>
        TypedResults.Ok(views.Find(id, withLossCurve: true) ?? throw UnknownRun(id));

    [EndpointName("CancelTraining")]
    [EndpointSummary("Cancels a queued run, or stops a running one after its current batch (202; its status becomes 'canceled'); 409 once training is over and its model is being published.")]
    private static Accepted<RunAccepted> Cancel(long id, TrainingRuns runs) => Answer(runs.Cancel(id));

    [EndpointName("ResumeTraining")]
    [EndpointSummary("Queues an interrupted, canceled or failed run again, from its last checkpoint; an optional body {\"epochs\": N} changes its length.")]
    private static async Task<Accepted<RunAccepted>> Resume(long id, HttpRequest request, TrainingRuns runs) =>
        Answer(runs.Resume(id, (await ReadSettingsAsync(request)).Settings.Epochs));

    [EndpointName("TrainingEvents")]
    [EndpointSummary("Server-Sent Events: 'state' on connect, 'progress' a few times a second, 'epoch' per finished epoch (its id is the epoch), and a final 'done', after which the stream closes. " +
                     "A reconnect with Last-Event-ID (to any replica) gets the epochs after that one instead of 'state'.")]
    private static ServerSentEventsResult<string> Events(long id, RunStore store, RunEventStreams streams, HttpContext http)
    {
        if (store.GetRun(id) is null) throw UnknownRun(id);
        int? lastEpochSeen = int.TryParse(http.Request.Headers["Last-Event-ID"], NumberStyles.None, CultureInfo.InvariantCulture, out var seen) ? seen : null;
        // a slot is taken now and given back when the response ends, however it ends: a pile of watchers cannot hold the server
        http.Response.RegisterForDispose(streams.TryOpenStream() ?? throw TrainingProblems.TooManyEventStreams(streams.MaxStreams));
        return TypedResults.ServerSentEvents(streams.Events(id, lastEpochSeen, http.RequestAborted));
    }

    [EndpointName("TrainingConfusion")]
    [EndpointSummary("The finished run's confusion matrix on the 10,000 MNIST test digits (rows: true label, columns: prediction).")]
    private static Ok<ConfusionView> Confusion(long id, RunStore store)
    {
        var run = store.GetRun(id) ?? throw UnknownRun(id);
        return TypedResults.Ok(new ConfusionView(id, run.ModelId, run.TestAccuracy, store.GetConfusion(id) ?? throw NotFinished(run)));
    }

    [EndpointName("TrainingMistakes")]
    [EndpointSummary("Misclassified MNIST test digits of the finished run, with true and predicted labels and their 784 pixels.")]
    private static Ok<MistakesView> Mistakes(long id, RunStore store, MnistSource mnist, int? limit)
    {
        var run = store.GetRun(id) ?? throw UnknownRun(id);
        var matrix = store.GetConfusion(id) ?? throw NotFinished(run);
        var test = mnist.Load().Test;
        int total = matrix.Select((row, t) => row.Sum() - row[t]).Sum();
        var items = store.GetMistakes(id, Math.Clamp(limit ?? 48, 1, 10_000))
            .Select(m => new MistakeView(m.TestIndex, m.Label, m.Predicted, [.. test.Image(m.TestIndex).ToArray().Select(b => (int)b)]))
            .ToList();
        return TypedResults.Ok(new MistakesView(id, run.ModelId, total, items));
    }

    private static async Task<(TrainingSettings Settings, RunInputs Inputs)> ReadSettingsAsync(HttpRequest request)
    {
        var body = await JsonBody.ReadOptionalAsync(request, TrainingRequest.MaxBodyBytes, "{\"epochs\": N, ...}", request.HttpContext.RequestAborted);
        var (settings, inputs, errors) = TrainingRequest.Parse(body);
        return (settings ?? throw TrainingProblems.InvalidSettings(errors), inputs);
    }

    private static Accepted<RunAccepted> Answer(RunAccepted accepted) => TypedResults.Accepted($"/api/training/{accepted.Id}", accepted);

    private static ApiProblem UnknownRun(long id) => TrainingProblems.UnknownRun(id);

    private static ApiProblem NotFinished(RunRecord run) => TrainingProblems.RunNotFinished(run.Id, Tokens.Of(run.Status));
}
