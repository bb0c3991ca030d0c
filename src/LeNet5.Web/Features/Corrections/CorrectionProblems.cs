namespace LeNet5.Web.Features.Corrections;

/// <summary>The problems of the corrections loop: turned off, no such drawing, caps, nothing to export.</summary>
public static class CorrectionProblems
{
    public static ApiProblem CorrectionsDisabled() =>
        Problems.NotFound("Corrections are turned off on this server (Corrections:Enabled is false).");

    public static ApiProblem UnknownCorrection(long id) => Problems.NotFound($"There is no correction {id}; GET /api/corrections lists them.");

    /// <summary>The database holds its most contributed drawings (507): none is kept until a reviewer deletes some, so no Retry-After.</summary>
    public static ApiProblem CorrectionsFull(string most, string setting) =>
        new(StatusCodes.Status507InsufficientStorage, $"The server keeps no more contributed drawings: it holds its most, {most} ({setting}).",
            "Nothing was stored. Room comes back when a reviewer deletes drawings (DELETE /api/corrections/{id} or POST /api/corrections/bulk).");

    /// <summary>This client has contributed its most drawings of the last 24 hours (429, with Retry-After).</summary>
    public static ApiProblem TooManyCorrectionsToday(int limit, int retryAfterSeconds) =>
        new(StatusCodes.Status429TooManyRequests, $"Your address has contributed {limit} drawings in the last 24 hours, the most it may; wait {retryAfterSeconds} s and try again.",
            "Nothing was stored. Each client may contribute Corrections:MaxDrawingsPerClientPerDay drawings in any 24 hours.")
        {
            RetryAfterSeconds = retryAfterSeconds,
        };

    public static ApiProblem NothingAccepted() =>
        Problems.Conflict("No correction is accepted yet; accept some (POST /api/corrections/{id}/accept) before exporting them.");
}
