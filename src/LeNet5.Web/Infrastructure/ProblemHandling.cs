using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;
using Serilog;

namespace LeNet5.Web.Infrastructure;

/// <summary>
/// The one error model: code that meets bad input throws an <see cref="ApiProblem"/>, and this writes
/// it as <c>application/problem+json</c>, whatever the client's <c>Accept</c> says (a problem the
/// client cannot read is still better than a 500). The same writer serves authentication, the rate
/// limiter and unmatched <c>/api</c> paths.
/// </summary>
public static class ProblemHandling
{
    public static IServiceCollection AddProblems(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddExceptionHandler<ApiProblemHandler>();
        return services;
    }

    public static WebApplication UseProblems(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages(context => WriteStatusAsync(context.HttpContext));
        return app;
    }

    /// <summary>A bodiless error status: a problem on the API, a line of text on the pages.</summary>
    private static Task WriteStatusAsync(HttpContext http)
    {
        int status = http.Response.StatusCode;
        if (http.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)) return WriteAsync(http, Problems.Status(status));
        http.Response.ContentType = "text/plain; charset=utf-8";
        return http.Response.WriteAsync($"{status} {ReasonPhrases.GetReasonPhrase(status)}");
    }

    /// <summary>Writes a problem as the response, as application/problem+json, whatever the request's Accept.</summary>
    public static Task WriteAsync(HttpContext http, ApiProblem problem)
    {
        if (problem.RetryAfterSeconds is { } seconds) http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return WriteAsync(http, problem.ToProblemDetails());
    }

    private static Task WriteAsync(HttpContext http, ProblemDetails problem)
    {
        http.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        http.RequestServices.GetService<IDiagnosticContext>()?.Set("Problem", problem.Title);
        // TypedResults.Problem falls back to writing JSON itself when no writer accepts the Accept header
        return TypedResults.Problem(problem).ExecuteAsync(http);
    }

    /// <summary>
    /// Turns the exceptions that mean "bad request" into their 4xx problems: an <see cref="ApiProblem"/>,
    /// and Kestrel's or parameter binding's <see cref="BadHttpRequestException"/> (body too large,
    /// unreadable query). Anything else is left to the default handler (a 500 problem).
    /// </summary>
    private sealed class ApiProblemHandler : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            var problem = exception switch
            {
                ApiProblem p => p,
                BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => Problems.BodyTooLarge(null),
                BadHttpRequestException b when b.StatusCode is >= 400 and < 500 => Problems.MalformedRequest(b.StatusCode, exception.Message),
                _ => null,
            };
            if (problem is null || httpContext.Response.HasStarted) return false;
            await WriteAsync(httpContext, problem);
            return true;
        }
    }
}
