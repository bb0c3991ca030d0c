namespace LeNet5.Web.Features.Corrections;

/// <summary>Contributed corrections (section <c>Corrections</c>): whether the drawing page offers them, and what one may hold.</summary>
public sealed class CorrectionsOptions
{
    public const string Section = "Corrections";

    /// <summary>The drawing page offers "Wrong? It's a …" and <c>POST /api/corrections</c> stores drawings; off, it answers 404.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Largest body of <c>POST /api/corrections</c> in bytes: a 280x280 PNG data URL and a few thousand points fit in well under 1 MB.</summary>
    [Range(1024, 64L * 1024 * 1024)]
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Most strokes one drawing may hold; a digit takes one to four.</summary>
    [Range(1, 10_000)]
    public int MaxStrokes { get; set; } = 100;

    /// <summary>Most points all the strokes of one drawing may hold together (a slow, careful digit is a few hundred).</summary>
    [Range(1, 1_000_000)]
    public int MaxPoints { get; set; } = 5000;
}
