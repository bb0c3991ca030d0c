namespace LeNet5.Web.Infrastructure;

/// <summary>
/// A request the API cannot serve, with the status and a title that tells the caller what to fix.
/// Endpoints turn it into <c>application/problem+json</c>; so does <see cref="ApiExceptionHandler"/>
/// if one escapes.
/// </summary>
public sealed class ApiProblemException(int status, string title, string? detail = null, Exception? inner = null)
    : Exception(title, inner)
{
    public int Status { get; } = status;
    public string Title { get; } = title;
    public string? Detail { get; } = detail;
}
