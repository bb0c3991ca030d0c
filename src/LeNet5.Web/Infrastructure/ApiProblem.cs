namespace LeNet5.Web.Infrastructure;

/// <summary>
/// A request the API cannot serve, as the problem (RFC 9457) the client gets: its status and a title
/// that says what to fix. Anything that meets bad input throws one; <see cref="ProblemHandling"/>
/// writes it. Make them with <see cref="Problems"/>.
/// </summary>
public sealed class ApiProblem(int status, string title, string? detail = null, IDictionary<string, string[]>? errors = null, Exception? inner = null)
    : Exception(title, inner)
{
    public int Status { get; } = status;
    public string Title { get; } = title;
    public string? Detail { get; } = detail;

    /// <summary>When set, the answer's Retry-After: the seconds after which trying again makes sense.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>Invalid fields and what is wrong with each, for a validation problem.</summary>
    public IDictionary<string, string[]>? Errors { get; } = errors;

    public ProblemDetails ToProblemDetails() => Errors is null
        ? new ProblemDetails { Status = Status, Title = Title, Detail = Detail }
        : new HttpValidationProblemDetails(Errors) { Status = Status, Title = Title, Detail = Detail };
}
