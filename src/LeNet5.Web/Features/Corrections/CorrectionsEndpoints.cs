using LeNet5.Web.Features.Predict;
using LeNet5.Web.Features.Admin;

namespace LeNet5.Web.Features.Corrections;

/// <summary>
/// <c>POST /api/corrections</c> (public, its own per-client limit and the caps of <see cref="CorrectionsOptions"/>)
/// and the review API behind admin authentication: list, accept, relabel, reject, delete (one or many) and export.
/// </summary>
public static class CorrectionsEndpoints
{
    /// <summary>Drawings per page unless the request asks for fewer (or more, up to <see cref="MaxPage"/>).</summary>
    public const int DefaultPage = 48, MaxPage = 500;

    /// <summary>Most ids one bulk review may name (a status alone names any number).</summary>
    public const int MaxBulkIds = 10_000;

    public static IEndpointRouteBuilder MapCorrectionsEndpoints(this IEndpointRouteBuilder app)
    {
        // a contribution reads an image as /api/predict does, and can be refused the same ways
        app.MapGroup("/api/corrections").WithTags("Corrections").ProducesInputProblems()
            .MapPost("/", Contribute).WithMetadata(CorrectionsEndpointMetadata.Instance).DocumentBody<CorrectionRequest>()
            .ProducesProblem(StatusCodes.Status507InsufficientStorage);

        var review = app.MapGroup("/api/corrections").WithTags("Corrections").RequireAdmin();
        review.MapGet("/", List).ProducesValidationProblem();
        review.MapPost("/bulk", Bulk).DocumentBody<BulkReviewRequest>().ProducesValidationProblem();
        review.MapGet("/export", Export).Produces<FileContentHttpResult>(StatusCodes.Status200OK, "application/zip").ProducesProblem(StatusCodes.Status409Conflict);
        var one = review.MapGroup("/{id:long}").ProducesProblem(StatusCodes.Status404NotFound);
        one.MapGet("/", Get);
        one.MapPost("/accept", Accept);
        one.MapPost("/relabel", Relabel).DocumentBody<RelabelRequest>().ProducesValidationProblem();
        one.MapPost("/reject", Reject);
        one.MapDelete("/", Delete);
        return app;
    }

    [EndpointName("Contribute")]
    [EndpointSummary("Contribute a drawing the network got wrong, with the digit it really is: 201 with its id and Location.")]
    [EndpointDescription("JSON {\"label\": D, \"image\": \"data:image/png;base64,...\"} or {\"label\": D, \"pixels\": [784]}, optionally with 'strokes', 'predicted' and 'model'. " +
                         "The image is prepared and answered by the model as POST /api/predict would; the prepared 28x28, the model's answer and probabilities, " +
                         "the strokes and the time are kept; of who sent it only a keyed hash of the address, to count its drawings of the day. " +
                         "The same prepared drawing sent again is not stored twice: 200 with the first one's id. Past a cap nothing is stored: 507 when the server holds its most " +
                         "drawings or bytes (Corrections:MaxDrawings, Corrections:MaxStoredBytes), 429 with Retry-After when this address has sent Corrections:MaxDrawingsPerClientPerDay in 24 hours.")]
    private static async Task<Results<Created<CorrectionCreated>, Ok<CorrectionCreated>>> Contribute(
        HttpRequest request, ImageAdmission admission, CorrectionRequestReader reader, CorrectionService corrections, CancellationToken cancellationToken)
    {
        if (!corrections.Enabled) throw CorrectionProblems.CorrectionsDisabled();
        // admitted as a prediction is: the same budget of bodies in memory, the model resolved and logged
        var input = await reader.ReadAsync(request, admission.Slot(request.HttpContext), cancellationToken);
        var created = await corrections.ContributeAsync(admission.Model(input.Model), input, ClientKey.Of(request.HttpContext), cancellationToken);
        return created.Duplicate ? TypedResults.Ok(created) : TypedResults.Created($"/api/corrections/{created.Id}", created);
    }

    [EndpointName("ListCorrections")]
    [EndpointSummary("Contributed drawings, newest first, a page at a time (?limit=N, default 48, at most 500; ?before=ID for older ones), filtered by ?label=, ?predicted=, ?model= and ?status=pending|accepted|rejected; with the per-digit counts of all of them.")]
    private static Ok<CorrectionPage> List(CorrectionService corrections, int? label, int? predicted, string? model, string? status, int? limit, long? before)
    {
        var errors = new Dictionary<string, string>();
        if (label is { } l && !Digit.Is(l)) errors["label"] = Digit.Required("label");
        if (predicted is { } p && !Digit.Is(p)) errors["predicted"] = Digit.Required("predicted");
        CorrectionStatus? wanted = null;
        if (!string.IsNullOrEmpty(status))
        {
            try
            {
                wanted = Tokens.Parse<CorrectionStatus>(status);
            }
            catch (FormatException ex)
            {
                errors["status"] = $"status: {ex.Message}";
            }
        }
        if (errors.Count > 0) throw Problems.Invalid("filter", errors, "Every filter is optional.");
        return TypedResults.Ok(corrections.List(new CorrectionFilter(label, predicted, string.IsNullOrEmpty(model) ? null : model, wanted),
            Math.Clamp(limit ?? DefaultPage, 1, MaxPage), before));
    }

    [EndpointName("GetCorrection")]
    [EndpointSummary("One contributed drawing.")]
    private static Ok<CorrectionView> Get(long id, CorrectionService corrections) => TypedResults.Ok(corrections.Get(id));

    [EndpointName("AcceptCorrection")]
    [EndpointSummary("Accept the drawing with its label: it joins the corrections that runs train on, or their test set.")]
    private static Ok<CorrectionView> Accept(long id, CorrectionService corrections) => TypedResults.Ok(corrections.Review(id, CorrectionStatus.Accepted));

    [EndpointName("RelabelCorrection")]
    [EndpointSummary("Give the drawing the right label ({\"label\": D}); a reviewer's label is a verdict, so it is accepted too.")]
    private static async Task<Ok<CorrectionView>> Relabel(long id, HttpRequest request, CorrectionService corrections, CancellationToken cancellationToken)
    {
        using var json = await JsonBody.ReadAsync(request, 1024, "{\"label\": D}", cancellationToken);
        var root = json.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("label", out var l) || !Digit.TryRead(l, out int label))
            throw Problems.Invalid("relabel", new Dictionary<string, string> { ["label"] = Digit.Required("label") }, "Send {\"label\": D}.");
        return TypedResults.Ok(corrections.Review(id, CorrectionStatus.Accepted, label));
    }

    [EndpointName("RejectCorrection")]
    [EndpointSummary("Reject the drawing as not a digit: it is kept (so the same one is not stored again) but never trained on or exported.")]
    private static Ok<CorrectionView> Reject(long id, CorrectionService corrections) => TypedResults.Ok(corrections.Review(id, CorrectionStatus.Rejected));

    [EndpointName("DeleteCorrection")]
    [EndpointSummary("Remove the drawing for good.")]
    private static NoContent Delete(long id, CorrectionService corrections)
    {
        corrections.Delete(id);
        return TypedResults.NoContent();
    }

    [EndpointName("BulkReviewCorrections")]
    [EndpointSummary("Reject or delete many drawings at once: {\"action\": \"reject\"|\"delete\", \"status\": ..., \"ids\": [...]}, by status, by id or both; deleting frees room under the caps.")]
    private static async Task<Ok<BulkReviewResult>> Bulk(HttpRequest request, CorrectionService corrections, CancellationToken cancellationToken)
    {
        const string Detail = "Send {\"action\": \"reject\" or \"delete\", \"status\": \"pending\"|\"accepted\"|\"rejected\", \"ids\": [1, 2, ...]}, with status, ids or both.";
        using var json = await JsonBody.ReadAsync(request, 256 * 1024, "{\"action\": \"reject\"|\"delete\", \"status\": ..., \"ids\": [...]}", cancellationToken);
        var root = json.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw Problems.Malformed("The JSON body must be an object.", Detail);
        var errors = new Dictionary<string, string>();
        var action = Given(root, "action") is { } a ? Word<BulkAction>(a) : null;
        if (action is null) errors["action"] = "action must be reject or delete";
        var statusField = Given(root, "status");
        var status = statusField is { } s ? Word<CorrectionStatus>(s) : null;
        if (statusField is not null && status is null) errors["status"] = "status must be pending, accepted or rejected";
        var idsField = Given(root, "ids");
        var ids = idsField is { } i ? Ids(i) : null;
        if (idsField is not null && ids is null) errors["ids"] = $"ids must be an array of at most {MaxBulkIds:N0} drawing ids";
        if (statusField is null && idsField is null) errors["ids"] = "name the drawings by status, by ids or both (a bulk review never means every drawing)";
        if (errors.Count > 0) throw Problems.Invalid("bulk review", errors, Detail);
        return TypedResults.Ok(corrections.Bulk(action!.Value, status, ids));
    }

    /// <summary>The field when the object has it and it is not null.</summary>
    private static JsonElement? Given(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    /// <summary>The value a JSON string names, or null when it is anything else.</summary>
    private static T? Word<T>(JsonElement value) where T : struct, Enum
    {
        if (value.ValueKind != JsonValueKind.String) return null;
        try
        {
            return Tokens.Parse<T>(value.GetString()!);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Drawing ids (positive whole numbers), at most <see cref="MaxBulkIds"/>; null when anything else.</summary>
    private static List<long>? Ids(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() > MaxBulkIds) return null;
        var ids = new List<long>(value.GetArrayLength());
        foreach (var e in value.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out long id) || id <= 0) return null;
            ids.Add(id);
        }
        return ids;
    }

    [EndpointName("ExportCorrections")]
    [EndpointSummary("The accepted drawings as a zip: corrections-images-idx3-ubyte and corrections-labels-idx1-ubyte (MNIST's IDX format, 28x28) and manifest.csv (index, id, label, split, predicted, model, times); 409 when none is accepted.")]
    private static FileContentHttpResult Export(CorrectionService corrections) =>
        TypedResults.File(corrections.Export(), "application/zip", ExportNames.Zip);
}
