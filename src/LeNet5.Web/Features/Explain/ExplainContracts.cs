using System.ComponentModel;

namespace LeNet5.Web.Features.Explain;

/// <summary>Why the network reads what it reads: <c>POST /api/explain</c>.</summary>
public sealed record ExplainResponse(
    [property: Description("The digit the network reads.")] int Digit,
    [property: Description("The digit whose evidence is explained (the query's target, else the digit read).")] int Target,
    [property: Description("The digit with the most evidence after the one read: ask ?target= it for \"what would make it that\".")] int RunnerUp,
    [property: Description("The evidence for the target: minus the RBF distance to its prototype, or its logit.")] float Evidence,
    [property: Description("784 numbers, 28x28 row-major: d evidence / d pixel (pixels 0-255). Positive: more ink there would add evidence.")] float[] Saliency,
    [property: Description("The prepared 28x28 pixels (0-255) the network read.")] float[] Pixels,
    [property: Description("The id of the model that answered.")] string Model,
    [property: Description("Server time for preparing, the forward and the backward pass, in milliseconds.")] double ElapsedMs);

/// <summary>The changed drawing: <c>POST /api/explain/nudge</c>.</summary>
public sealed record NudgeResponse(
    [property: Description("784 numbers, 0-255: the nudged 28x28.")] float[] Pixels,
    [property: Description("What the network reads in it.")] int Digit,
    [property: Description("The digit asked for.")] int Target,
    [property: Description("What the network read before the nudge.")] int From,
    [property: Description("True when the network reads the target (false when the step budget ran out first).")] bool Reached,
    [property: Description("Gradient steps taken.")] int Steps,
    [property: Description("The largest change of one pixel, in levels of 0-255.")] float MaxChange,
    [property: Description("The mean absolute change per pixel, in levels of 0-255.")] float MeanChange,
    [property: Description("The prepared 28x28 before the nudge.")] float[] Original,
    [property: Description("The id of the model that answered.")] string Model,
    [property: Description("Server time, in milliseconds.")] double ElapsedMs);

/// <summary>One class's dream: <c>GET /api/models/{id}/dreams</c>.</summary>
public sealed record DreamResponse(
    [property: Description("The digit.")] int Digit,
    [property: Description("784 numbers, 0-255: the input the network finds most like this digit, found by gradient ascent on the input.")] float[] Pixels);
