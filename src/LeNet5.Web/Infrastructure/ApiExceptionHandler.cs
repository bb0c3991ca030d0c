using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace LeNet5.Web.Infrastructure;

/// <summary>
/// Turns the exceptions that mean "bad request" into their 4xx problem answers: a problem an endpoint
/// did not catch, and Kestrel's or parameter binding's <see cref="BadHttpRequestException"/> (body too
/// large, unreadable query). Anything else is left to the default handler (a 500 problem).
/// </summary>
internal sealed class ApiExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = exception switch
        {
            ApiProblemException p => (p.Status, p.Title, p.Detail),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                (StatusCodes.Status413PayloadTooLarge, "The request body is too large; send a smaller image.", exception.Message),
            BadHttpRequestException b when b.StatusCode is >= 400 and < 500 =>
                (b.StatusCode, "The request is malformed; check its query string, headers and body.", exception.Message),
            _ => (0, "", null),
        };
        if (status == 0) return false;
        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }
}
