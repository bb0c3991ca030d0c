namespace LeNet5.Web.Features.TestSet;

/// <summary>The problems of asking for MNIST test digits.</summary>
public static class TestSetProblems
{
    public static ApiProblem UnknownTestDigit(string index, int count) =>
        Problems.NotFound($"There is no MNIST test digit '{index}'; ask for an index from 0 to {count - 1}.");

    public static ApiProblem BadIndices(string? indices, int count, int max) =>
        Problems.Malformed($"'{indices}' is not a list of MNIST test digits; ask for 1 to {max} indices from 0 to {count - 1}, comma-separated.",
            "GET /api/mnist/test/pixels?indices=3,17,42 answers 784 bytes per digit, in the order asked.");
}
