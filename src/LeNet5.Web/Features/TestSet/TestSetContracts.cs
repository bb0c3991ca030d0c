using System.ComponentModel;
using System.Text.Json.Serialization;

namespace LeNet5.Web.Features.TestSet;

/// <summary>One MNIST test digit: <c>GET /api/mnist/test/{index}</c>.</summary>
public sealed record TestDigit(
    [property: Description("Its index in the MNIST test set, 0-9999.")] int Index,
    [property: Description("Its true label, 0-9.")] int Label,
    [property: Description("784 values 0-255, 28x28 row-major, 0 background and 255 ink: the body {\"pixels\": [...]} of POST /api/predict takes them as they are.")] int[] Pixels);

/// <summary>A model on the 10,000 MNIST test digits: <c>GET /api/models/{id}/test-set</c>.</summary>
public sealed record TestSetResults(
    [property: Description("The model's id.")] string Model,
    [property: Description("How many test digits were read: 10,000.")] int Count,
    [property: Description("How many of them the model read as another digit.")] int Errors,
    [property: Description("The share it read right, 0-1: 1 - errors / count.")] double Accuracy,
    [property: Description("Per true digit 0-9: how many test digits carry that label, how many of them were read right, and the share.")]
    IReadOnlyList<DigitAccuracy> Digits,
    [property: Description("10x10 counts: confusion[t][p] test digits labelled t were read as p. Rows sum to each digit's count, all to 10,000.")]
    int[][] Confusion,
    [property: Description("10x10 lists: cells[t][p] holds the indices (ascending) of the test digits labelled t and read as p, as many as confusion[t][p]. " +
                           "GET /api/mnist/test/pixels?indices= answers their pixels; the drawing page opens one at /#test=INDEX&model=ID.")]
    int[][][] Cells)
{
    /// <summary>When the model leads a committee (Models:Committee): the members that read the digits with it, the lead first; the figures are the committee's.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [Description("When the model leads a committee: the members that read with it, the lead first; the figures above are then the committee's.")]
    public IReadOnlyList<string>? Committee { get; init; }

    public static TestSetResults From(string model, EvaluationResult evaluation)
    {
        const int classes = 10;
        var cells = new List<int>[classes, classes];
        for (int t = 0; t < classes; t++)
        for (int p = 0; p < classes; p++)
            cells[t, p] = [];
        for (int i = 0; i < evaluation.Count; i++) cells[evaluation.Labels[i], evaluation.Predictions[i]].Add(i);
        var confusion = Enumerable.Range(0, classes).Select(t => Enumerable.Range(0, classes).Select(p => evaluation.Confusion[t, p]).ToArray()).ToArray();
        var digits = Enumerable.Range(0, classes).Select(d =>
        {
            int count = confusion[d].Sum(), correct = confusion[d][d];
            return new DigitAccuracy(d, count, correct, count == 0 ? 0 : (double)correct / count);
        }).ToArray();
        return new TestSetResults(model, evaluation.Count, evaluation.Errors, evaluation.Accuracy, digits, confusion,
            [.. Enumerable.Range(0, classes).Select(t => Enumerable.Range(0, classes).Select(p => cells[t, p].ToArray()).ToArray())]);
    }
}

/// <summary>How well a model reads the test digits of one true label.</summary>
public sealed record DigitAccuracy(
    [property: Description("The true label, 0-9.")] int Digit,
    [property: Description("How many test digits carry it.")] int Count,
    [property: Description("How many of them the model read as this digit.")] int Correct,
    [property: Description("correct / count, 0-1.")] double Accuracy);
