namespace LeNet5.Web.Features.Training;

/// <summary>The problems of the training API: its own, and invalid settings (<see cref="Problems.Invalid"/>).</summary>
public static class TrainingProblems
{
    public static ApiProblem TooManyEventStreams(int limit) =>
        new(StatusCodes.Status503ServiceUnavailable, $"{limit} event streams are open already (Training:MaxEventStreams); close one, or poll GET /api/training/{{id}}.")
        {
            RetryAfterSeconds = 5,
        };

    public static ApiProblem UnknownRun(long id) => Problems.NotFound($"There is no training run {id}; GET /api/training lists the runs.");

    public static ApiProblem RunNotFinished(long id, string status) =>
        Problems.NotFound($"Run {id} is {status}; the confusion matrix and mistakes exist once a run has completed.");

    public static ApiProblem InvalidSettings(IReadOnlyDictionary<string, string> errors) => Problems.Invalid("training settings", errors);

    public static ApiProblem Busy(long id, bool running) =>
        Problems.Conflict($"Run {id} is {(running ? "running" : "queued")}; one run at a time. Cancel it (POST /api/training/{id}/cancel) or wait for it to finish.");

    public static ApiProblem NotResumable(long id, RunStatus status) =>
        Problems.Conflict($"Run {id} is {Tokens.Of(status)}; only interrupted, canceled or failed runs can be resumed.");

    public static ApiProblem NotCancelable(long id, RunStatus status) =>
        Problems.Conflict($"Run {id} is {Tokens.Of(status)}; only a queued or running run can be canceled.");

    public static ApiProblem Publishing(long id) =>
        Problems.Conflict($"Run {id} has finished training and is publishing its model; it is too late to cancel it.");
}
