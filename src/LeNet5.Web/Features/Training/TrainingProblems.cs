namespace LeNet5.Web.Features.Training;

/// <summary>The problems of the training API that are its own (settings are refused with <see cref="Problems.Invalid"/>).</summary>
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
}
