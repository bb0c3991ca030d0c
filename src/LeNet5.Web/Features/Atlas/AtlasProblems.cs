namespace LeNet5.Web.Features.Atlas;

/// <summary>The problems of asking for an atlas.</summary>
public static class AtlasProblems
{
    public static ApiProblem NoTestDigits(string reason) =>
        new(StatusCodes.Status503ServiceUnavailable, "The MNIST test digits are not available on this server, so there is no atlas to draw.", reason);
}
