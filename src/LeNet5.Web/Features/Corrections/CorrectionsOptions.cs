namespace LeNet5.Web.Features.Corrections;

/// <summary>
/// Contributed corrections (section <c>Corrections</c>): whether the drawing page offers them, what one
/// may hold, and how many the database keeps. Anyone may contribute, so every one of these is a bound
/// on what a visitor can make the server store.
/// </summary>
public sealed class CorrectionsOptions
{
    public const string Section = "Corrections";

    /// <summary>The drawing page offers "Wrong? It's a …" and <c>POST /api/corrections</c> stores drawings; off, it answers 404.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Largest body of <c>POST /api/corrections</c> in bytes: a 280x280 PNG data URL and a few thousand points fit in well under 1 MB.</summary>
    [Range(1024, 64L * 1024 * 1024)]
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Most strokes one drawing may hold (default 30): a digit takes one to four, a corrected one with touch-ups a dozen.</summary>
    [Range(1, 10_000)]
    public int MaxStrokes { get; set; } = 30;

    /// <summary>
    /// Most points all the strokes of one drawing may hold together (default 3000). The page keeps every
    /// pointer event, coalesced ones too: a digit drawn for three seconds with a 1000 Hz mouse is the
    /// most a correction reaches (a pen gives 240 a second, a finger 60 to 120). At 3000 points a
    /// drawing takes about 72 KB.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxPoints { get; set; } = 3000;

    /// <summary>
    /// Most drawings the database keeps, whatever their state (default 20,000: far more than a reviewer
    /// gets through; typical drawings take about 6 KB, so some 130 MB). Past it a new one is refused with 507 until
    /// a reviewer deletes some.
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxDrawings { get; set; } = 20_000;

    /// <summary>
    /// Most bytes the kept drawings may take together, counted as their pixels, strokes and probabilities
    /// (default 256 MB, which a small disk holds; the database file takes a little more). It binds when
    /// drawings are large: 256 MB is about 3,700 drawings with the most points allowed. Past it a new one
    /// is refused with 507 until a reviewer deletes some.
    /// </summary>
    [Range(1024, 1L << 40)]
    public long MaxStoredBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// Most drawings one client (its address, see <see cref="ClientKey"/>) may contribute in 24 hours
    /// (default 200: ten times what an eager person corrects in a sitting). Counted in the database, so
    /// a restart forgets nothing; past it, 429 with Retry-After until its oldest of the day is a day old.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxDrawingsPerClientPerDay { get; set; } = 200;
}
