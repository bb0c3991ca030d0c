using System.ComponentModel;

namespace LeNet5.Web.Features.TestSet;

/// <summary>One MNIST test digit: <c>GET /api/mnist/test/{index}</c>.</summary>
public sealed record TestDigit(
    [property: Description("Its index in the MNIST test set, 0-9999.")] int Index,
    [property: Description("Its true label, 0-9.")] int Label,
    [property: Description("784 values 0-255, 28x28 row-major, 0 background and 255 ink: the body {\"pixels\": [...]} of POST /api/predict takes them as they are.")] int[] Pixels);
