using System.ComponentModel;

namespace LeNet5.Web.Features.Corrections;

/// <summary>The body of <c>POST /api/corrections</c>: the right digit and the drawing, as one of 'image' and 'pixels'.</summary>
public sealed record CorrectionRequest(
    [property: Description("The digit the drawing really is, 0 to 9.")] int Label,
    [property: Description("The drawing as a data URL (what canvas.toDataURL() gives), as for POST /api/predict.")] string? Image,
    [property: Description("Or 784 numbers, 28x28 row-major, 0 = background, 255 = ink.")] float[]? Pixels,
    [property: Description("Optional: the strokes as drawn, each with its points [x, y, t] (x and y from 0 to 1 of the pad, t in ms since the drawing began), pen width (0 to 1 of the pad) and pointer type.")]
    IReadOnlyList<StrokeData>? Strokes,
    [property: Description("Optional: the digit the page showed; the stored answer is the model's own, recomputed from the image.")] int? Predicted,
    [property: Description("Optional: the model that answered (the active model when left out).")] string? Model);

/// <summary>One stroke of a drawing as kept: the pointer that drew it, the pen width and its points.</summary>
public sealed record StrokeData(
    [property: Description("mouse, pen or touch.")] string PointerType,
    [property: Description("The pen width as a share of the pad's side (0 to 1).")] double Width,
    [property: Description("The points as [x, y, t]: x and y from 0 to 1 of the pad, t in milliseconds since the drawing began.")] IReadOnlyList<double[]> Points);

/// <summary>The answer to a contributed drawing.</summary>
public sealed record CorrectionCreated(
    [property: Description("The drawing's id.")] long Id,
    [property: Description("True when the same prepared 28x28 was contributed before: nothing new was stored, and this is the earlier one's id.")] bool Duplicate);

/// <summary>A contributed drawing as the reviewer sees it.</summary>
public sealed record CorrectionView(
    long Id,
    [property: Description("The digit the contributor (or a reviewer) says it is.")] int Label,
    CorrectionStatus Status,
    [property: Description("The model's answer when it was contributed.")] int Predicted,
    [property: Description("Whether the model said it was not sure this is a digit.")] bool Rejected,
    [property: Description("The model's ten probabilities.")] float[] Probabilities,
    [property: Description("The model that answered.")] string Model,
    [property: Description("'test' for the corrections test set (chosen by a hash of the id, never trained on), else 'train'.")] string Split,
    [property: Description("The prepared 28x28 (row-major, 0 background, 255 ink) the model saw.")] int[] Pixels,
    [property: Description("How many strokes and points were kept with it.")] int Strokes,
    int Points,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ReviewedAt);

/// <summary>How many drawings of one digit (by label) are in each state, and how many accepted ones are test drawings.</summary>
public sealed record DigitCount(int Label, int Pending, int Accepted, int Rejected, int AcceptedTest);

/// <summary>A page of drawings, newest first, with the total that match the filters and the per-digit counts of the whole collection.</summary>
public sealed record CorrectionPage(
    IReadOnlyList<CorrectionView> Items,
    [property: Description("How many drawings match the filters.")] int Total,
    [property: Description("For ?before=: the id to ask for the next (older) page, or null on the last one.")] long? Next,
    [property: Description("Per digit, over every drawing (not just the filtered ones): the balance between classes.")] IReadOnlyList<DigitCount> Counts);

/// <summary>The body of <c>POST /api/corrections/{id}/relabel</c>.</summary>
public sealed record RelabelRequest([property: Description("The digit it really is, 0 to 9.")] int Label);

/// <summary>What <c>POST /api/corrections/bulk</c> does to the drawings it names.</summary>
public enum BulkAction
{
    /// <summary>Reject them as not digits: kept (so they are not stored again), never trained on.</summary>
    Reject,

    /// <summary>Remove them for good, freeing their room under Corrections:MaxDrawings and Corrections:MaxStoredBytes.</summary>
    Delete,
}

/// <summary>The body of <c>POST /api/corrections/bulk</c>: an action and the drawings, by status, by id or both (at least one).</summary>
public sealed record BulkReviewRequest(
    [property: Description("reject or delete.")] BulkAction Action,
    [property: Description("Only the drawings in this state: pending, accepted or rejected.")] CorrectionStatus? Status,
    [property: Description("Only these drawings (at most 10,000 ids).")] IReadOnlyList<long>? Ids);

/// <summary>The answer to a bulk review.</summary>
public sealed record BulkReviewResult(
    BulkAction Action,
    [property: Description("How many drawings it rejected or deleted (one rejected already is not counted again).")] int Count);
