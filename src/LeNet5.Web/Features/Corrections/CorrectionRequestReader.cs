using LeNet5.Web.Features.Predict;
namespace LeNet5.Web.Features.Corrections;

/// <summary>A contributed drawing as read from the request, checked field by field; the image is read as /api/predict reads it.</summary>
public sealed record CorrectionInput(int Label, PredictInput Image, IReadOnlyList<StrokeData>? Strokes, int? Predicted, string? Model);

/// <summary>
/// Reads the JSON body of <c>POST /api/corrections</c>. Every field is checked before anything is
/// decoded or stored; the strokes are rebuilt from the checked values (so nothing but points, widths
/// and pointer types is ever kept), and anything wrong is one 400 problem naming each bad field.
/// </summary>
public sealed class CorrectionRequestReader(IOptions<CorrectionsOptions> options)
{
    private const string Send = "{\"label\": D, \"image\": \"data:image/png;base64,...\"} or {\"label\": D, \"pixels\": [784 numbers]}";
    private const string Detail = "Send {\"label\": D, \"image\": \"data:image/png;base64,...\"} or {\"label\": D, \"pixels\": [784 numbers]}, " +
                                  "optionally with \"strokes\": [{\"pointerType\": \"mouse\", \"width\": 0.07, \"points\": [[x, y, t], ...]}], \"predicted\" and \"model\".";
    private static readonly HashSet<string> Fields = ["label", "image", "pixels", "strokes", "predicted", "model"];
    private static readonly HashSet<string> PointerTypes = ["mouse", "pen", "touch"];

    private readonly CorrectionsOptions _options = options.Value;

    /// <summary>The drawing; every byte of the body is charged to the request's <paramref name="slot"/>, as /api/predict's are.</summary>
    public async Task<CorrectionInput> ReadAsync(HttpRequest request, BodySlots.Slot slot, CancellationToken cancellationToken)
    {
        using var json = await JsonBody.ReadAsync(request, _options.MaxBodyBytes, Send, cancellationToken, slot.Charge);
        var root = json.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw Problems.Malformed("The JSON body must be an object.", Detail);
        var errors = new Dictionary<string, string>();
        foreach (var name in JsonBody.UnknownFields(root, Fields)) errors[name] = $"'{name}' is not a field of a correction (nothing else is kept)";
        int label = root.TryGetProperty("label", out var l) ? ReadDigit(l, "label", errors) ?? -1 : Missing("label", errors);
        int? predicted = root.TryGetProperty("predicted", out var p) && p.ValueKind != JsonValueKind.Null ? ReadDigit(p, "predicted", errors) : null;
        string? model = null;
        if (root.TryGetProperty("model", out var m) && m.ValueKind != JsonValueKind.Null)
        {
            if (m.ValueKind == JsonValueKind.String && m.GetString() is { Length: > 0 and <= 200 } id) model = id;
            else errors["model"] = "model must be a model id, as GET /api/models lists them";
        }
        var strokes = root.TryGetProperty("strokes", out var s) && s.ValueKind != JsonValueKind.Null ? Strokes(s, errors) : null;
        if (errors.Count > 0) throw Problems.Invalid("correction", errors, Detail);
        return new CorrectionInput(label, PredictRequestReader.ReadImage(root, "The JSON body"), strokes, predicted, model);
    }

    private static int Missing(string field, Dictionary<string, string> errors)
    {
        errors[field] = $"{field} is required: the digit the drawing really is, {Digit.Min} to {Digit.Max}";
        return -1;
    }

    private static int? ReadDigit(JsonElement value, string field, Dictionary<string, string> errors)
    {
        if (Digit.TryRead(value, out int d)) return d;
        errors[field] = $"{Digit.Required(field)}, not {Shorten(value.GetRawText())}";
        return null;
    }

    /// <summary>The strokes, rebuilt from checked values; null with an error when any is wrong or there are too many points.</summary>
    private List<StrokeData>? Strokes(JsonElement strokes, Dictionary<string, string> errors)
    {
        if (strokes.ValueKind != JsonValueKind.Array)
        {
            errors["strokes"] = "strokes must be an array of {pointerType, width, points}";
            return null;
        }
        if (strokes.GetArrayLength() > _options.MaxStrokes)
        {
            errors["strokes"] = $"a drawing may have at most {_options.MaxStrokes} strokes (Corrections:MaxStrokes), not {strokes.GetArrayLength()}";
            return null;
        }
        var result = new List<StrokeData>();
        int total = 0, i = 0;
        foreach (var stroke in strokes.EnumerateArray())
        {
            string where = $"strokes[{i++}]";
            if (stroke.ValueKind != JsonValueKind.Object
                || !stroke.TryGetProperty("pointerType", out var type) || type.ValueKind != JsonValueKind.String || !PointerTypes.Contains(type.GetString()!)
                || !stroke.TryGetProperty("width", out var width) || !Number(width, out double w) || w is <= 0 or > 1
                || !stroke.TryGetProperty("points", out var points) || points.ValueKind != JsonValueKind.Array || points.GetArrayLength() == 0
                || stroke.EnumerateObject().Count() != 3)
            {
                errors["strokes"] = $"{where} must be exactly {{\"pointerType\": mouse|pen|touch, \"width\": more than 0 up to 1, \"points\": [[x, y, t], ...]}}";
                return null;
            }
            total += points.GetArrayLength();
            if (total > _options.MaxPoints)
            {
                errors["strokes"] = $"the strokes hold more than {_options.MaxPoints} points (Corrections:MaxPoints)";
                return null;
            }
            var kept = new List<double[]>(points.GetArrayLength());
            foreach (var point in points.EnumerateArray())
            {
                if (point.ValueKind != JsonValueKind.Array || point.GetArrayLength() != 3
                    || !Number(point[0], out double x) || x is < 0 or > 1
                    || !Number(point[1], out double y) || y is < 0 or > 1
                    || !Number(point[2], out double t) || t is < 0 or > 3_600_000)
                {
                    errors["strokes"] = $"{where}: every point must be [x, y, t] with x and y from 0 to 1 and t from 0 to 3,600,000 ms";
                    return null;
                }
                kept.Add([Math.Round(x, 4), Math.Round(y, 4), Math.Round(t, 1)]);
            }
            result.Add(new StrokeData(type.GetString()!, Math.Round(w, 4), kept));
        }
        return result;
    }

    // TryGetDouble throws on a non-number
    private static bool Number(JsonElement value, out double number)
    {
        number = 0;
        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out number);
    }

    private static string Shorten(string text) => text.Length <= 20 ? text : text[..20] + "…";
}
