namespace LeNet5.Web.Features.Admin;

/// <summary>The problems of admin authentication: no token, a wrong one, too many wrong ones, a form without its antiforgery token.</summary>
public static class AdminProblems
{
    public static ApiProblem AdminRequired() =>
        new(StatusCodes.Status401Unauthorized, "This is an admin API; send 'Authorization: Bearer TOKEN' with the admin token (Admin:Token), or sign in at /login.");

    public static ApiProblem AdminForbidden() => new(StatusCodes.Status403Forbidden, "The admin token is not valid for this request.");

    public static ApiProblem TooManyWrongTokens(int retryAfterSeconds) =>
        Problems.TooManyRequests(retryAfterSeconds, "wrong admin tokens", "RateLimit:LoginPermitLimit per RateLimit:LoginWindowSeconds, on the API and the sign-in page alike");

    public static ApiProblem AntiforgeryMissing(string detail) =>
        new(StatusCodes.Status400BadRequest, "The antiforgery token is missing or invalid; reload the admin page, or send 'Authorization: Bearer TOKEN' from scripts.", detail);
}
