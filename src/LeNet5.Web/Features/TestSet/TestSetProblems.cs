namespace LeNet5.Web.Features.TestSet;

/// <summary>The problems of asking for an MNIST test digit.</summary>
public static class TestSetProblems
{
    public static ApiProblem UnknownTestDigit(string index, int count) =>
        Problems.NotFound($"There is no MNIST test digit '{index}'; ask for an index from 0 to {count - 1}.");
}
