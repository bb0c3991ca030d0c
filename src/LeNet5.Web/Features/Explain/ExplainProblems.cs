using LeNet5.Web.Features.Predict;

namespace LeNet5.Web.Features.Explain;

/// <summary>The problems of explanations beyond those of the image they read (<see cref="ImageProblems"/>).</summary>
public static class ExplainProblems
{
    public static ApiProblem BadTarget(string? target) =>
        Problems.Malformed(string.IsNullOrEmpty(target)
                ? "Name the digit to nudge toward: ?target=D with D from 0 to 9."
                : $"The target '{target}' is not a digit; send ?target=D with D from 0 to 9.",
            "The body is the same as for POST /api/predict. " + ImageProblems.AcceptedForms);
}
