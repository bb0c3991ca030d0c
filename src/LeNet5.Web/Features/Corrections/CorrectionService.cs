using LeNet5.Web.Features.Predict;
using System.Text;
using System.IO.Compression;
using LeNet5.Core.Preparation;

namespace LeNet5.Web.Features.Corrections;

/// <summary>
/// The corrections loop's rules: a contributed drawing is prepared and answered by the model it names,
/// exactly as /api/predict would (the stored answer is the model's own), kept once, reviewed, exported,
/// and handed to training as plain samples.
/// </summary>
public sealed class CorrectionService(
    CorrectionStore store, PredictionService predictor, IOptions<CorrectionsOptions> options, TimeProvider time, Serilog.IDiagnosticContext log)
{
    public bool Enabled => options.Value.Enabled;

    /// <summary>
    /// Stores a contributed drawing, answered by <paramref name="entry"/>, from the client whose key is
    /// <paramref name="client"/> (or finds the same one stored before); nothing is stored past a cap:
    /// 507 when the database holds its most drawings or bytes, 429 when this client has sent its most for the day.
    /// </summary>
    public async Task<CorrectionCreated> ContributeAsync(ModelEntry entry, CorrectionInput input, string client, CancellationToken cancellationToken)
    {
        var answer = await predictor.RecognizeAsync(entry, input.Image, details: false, cancellationToken);
        var pixels = Array.ConvertAll(answer.Pixels, v => (byte)Math.Clamp(MathF.Round(v), 0, 255));
        string? strokes = input.Strokes is null ? null : JsonSerializer.Serialize(input.Strokes, WebJson.Options);
        var drawing = new NewCorrection(input.Label, answer.Prediction.Digit, answer.Rejected, answer.Prediction.Probabilities, entry.Id, pixels, strokes, client);
        var o = options.Value;
        var now = time.GetUtcNow();
        var added = store.Add(drawing, new CorrectionCaps(o.MaxDrawings, o.MaxStoredBytes, o.MaxDrawingsPerClientPerDay), now);
        if (added.Outcome is AddOutcome.Stored or AddOutcome.Duplicate)
        {
            log.Set("Correction", added.Id);
            return new CorrectionCreated(added.Id, Duplicate: added.Outcome == AddOutcome.Duplicate);
        }
        throw added.Outcome switch
        {
            AddOutcome.TooManyDrawings => CorrectionProblems.CorrectionsFull($"{o.MaxDrawings:N0} drawings", "Corrections:MaxDrawings"),
            AddOutcome.TooManyBytes => CorrectionProblems.CorrectionsFull($"{o.MaxStoredBytes:N0} bytes of drawings", "Corrections:MaxStoredBytes"),
            _ => CorrectionProblems.TooManyCorrectionsToday(o.MaxDrawingsPerClientPerDay, (int)Math.Ceiling(Math.Max(1, (added.RoomAt!.Value - now).TotalSeconds))),
        };
    }

    public CorrectionPage List(CorrectionFilter filter, int limit, long? before)
    {
        var (items, total) = store.List(filter, limit, before);
        long? next = items.Count == limit && items.Count > 0 ? items[^1].Id : null;
        return new CorrectionPage([.. items.Select(View)], total, next, Counts());
    }

    public CorrectionView Get(long id) => View(store.Get(id) ?? throw CorrectionProblems.UnknownCorrection(id));

    /// <summary>Per digit, how many drawings are pending, accepted (and of those, test drawings) and rejected.</summary>
    public IReadOnlyList<DigitCount> Counts()
    {
        var census = store.Census();
        return [.. Enumerable.Range(0, 10).Select(d =>
        {
            var mine = census.Where(c => c.Label == d).ToList();
            return new DigitCount(d, mine.Count(c => c.Status == CorrectionStatus.Pending), mine.Count(c => c.Status == CorrectionStatus.Accepted),
                mine.Count(c => c.Status == CorrectionStatus.Rejected), mine.Count(c => c.Status == CorrectionStatus.Accepted && CorrectionSplit.IsTest(c.Id)));
        })];
    }

    /// <summary>A reviewer's verdict on one drawing: accepted (with a new label, a checked digit, when relabeled) or rejected as not a digit.</summary>
    public CorrectionView Review(long id, CorrectionStatus status, int? label = null)
    {
        if (!store.Review(id, status, label, time.GetUtcNow())) throw CorrectionProblems.UnknownCorrection(id);
        return Get(id);
    }

    public void Delete(long id)
    {
        if (!store.Delete(id)) throw CorrectionProblems.UnknownCorrection(id);
    }

    /// <summary>A reviewer's verdict on many drawings at once (by status, by id or both): how many it changed.</summary>
    public BulkReviewResult Bulk(BulkAction action, CorrectionStatus? status, IReadOnlyList<long>? ids) =>
        new(action, store.Bulk(action, status, ids, time.GetUtcNow()));

    /// <summary>
    /// The accepted drawings as a zip of what MNIST's tools read: an idx3-ubyte image file, an idx1-ubyte
    /// label file (in the same order) and manifest.csv, one line per drawing with its id, split and answer.
    /// </summary>
    public byte[] Export()
    {
        var accepted = store.Accepted();
        if (accepted.Count == 0) throw CorrectionProblems.NothingAccepted();
        var pixels = new byte[accepted.Count * MnistLayout.Pixels];
        for (int i = 0; i < accepted.Count; i++) accepted[i].Pixels.CopyTo(pixels, i * MnistLayout.Pixels);
        var manifest = new StringBuilder("index,id,label,split,predicted,model,created_at,reviewed_at\n");
        for (int i = 0; i < accepted.Count; i++)
        {
            var c = accepted[i];
            manifest.Append(CultureInfo.InvariantCulture,
                $"{i},{c.Id},{c.Label},{CorrectionSplit.Of(c.Id)},{c.Predicted},{Csv(c.ModelId)},{Database.Time(c.CreatedAt)},{(c.ReviewedAt is { } r ? Database.Time(r) : "")}\n");
        }
        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            void Add(string name, ReadOnlySpan<byte> bytes)
            {
                using var entry = archive.CreateEntry(name, CompressionLevel.Optimal).Open();
                entry.Write(bytes);
            }
            Add(ExportNames.Images, IdxWriter.WriteImages(pixels, accepted.Count, MnistLayout.Side, MnistLayout.Side));
            Add(ExportNames.Labels, IdxWriter.WriteLabels([.. accepted.Select(c => (byte)c.Label)]));
            Add(ExportNames.Manifest, Encoding.UTF8.GetBytes(manifest.ToString()));
        }
        return zip.ToArray();
    }

    private static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;

    private static CorrectionView View(CorrectionRecord c)
    {
        var strokes = c.StrokesJson is null ? [] : JsonSerializer.Deserialize<List<StrokeData>>(c.StrokesJson, WebJson.Options) ?? [];
        return new CorrectionView(c.Id, c.Label, c.Status, c.Predicted, c.Rejected, c.Probabilities, c.ModelId, CorrectionSplit.Of(c.Id),
            [.. c.Pixels.Select(b => (int)b)], strokes.Count, strokes.Sum(s => s.Points.Count), c.CreatedAt, c.ReviewedAt);
    }
}

/// <summary>The files of the export.</summary>
public static class ExportNames
{
    public const string Images = "corrections-images-idx3-ubyte", Labels = "corrections-labels-idx1-ubyte", Manifest = "manifest.csv", Zip = "corrections.zip";
}
