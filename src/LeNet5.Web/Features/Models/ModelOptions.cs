namespace LeNet5.Web.Features.Models;

/// <summary>Where the models are and which one answers by default (section <c>Models</c>).</summary>
public sealed class ModelOptions
{
    public const string Section = "Models";

    /// <summary>Folder of <c>*.safetensors</c> files; empty means <c>models/</c> beside the app (AppContext.BaseDirectory).</summary>
    public string Directory { get; set; } = "";

    /// <summary>The id (file name without extension) of the model that answers when a request names none.</summary>
    [Required]
    [RegularExpression(ModelIds.Pattern, ErrorMessage = "Models:Default must be a model id: letters, digits, '.', '_' or '-'.")]
    public string Default { get; set; } = "lenet5";

    /// <summary>
    /// A committee: models that answer together, the mean of their calibrated probabilities, whenever
    /// the first of them (the lead) is asked (by name or as the active model); the lead's layers are the
    /// ones shown. Model ids separated by commas, the lead first (the shipped committee by default);
    /// empty: every model answers alone. Members not loaded are left out of the vote.
    /// </summary>
    [Committee]
    public string Committee { get; set; } = string.Join(",", ShippedModels.Committee);

    /// <summary>The committee's ids, the lead first; empty for none.</summary>
    public IReadOnlyList<string> CommitteeIds => CommitteeAttribute.Ids(Committee);

    /// <summary>
    /// Most parameter values one <c>GET /api/models/{id}/parameters</c> answer holds (about 20 bytes of
    /// JSON each): a layer that does not fit in what is left is listed without its values, under
    /// 'omitted'. The default holds a LeNet-5 (60,000) four times over; a multi-million-parameter
    /// layer is read from the model file instead.
    /// </summary>
    [Range(1, 100_000_000)]
    public int MaxParameterValues { get; set; } = 250_000;

    /// <summary>
    /// Megabytes of answers derived from models (ONNX files, parameters, dreams), computed once per
    /// model, that are kept for the next request; beyond, the least recently used are dropped.
    /// </summary>
    [Range(1, 65_536)]
    public int AnswerCacheMegabytes { get; set; } = 128;

    /// <summary>The folder to read, made absolute (relative paths are taken from the content root).</summary>
    public string ResolveDirectory(string contentRoot) =>
        string.IsNullOrWhiteSpace(Directory)
            ? Path.Combine(AppContext.BaseDirectory, "models")
            : Path.GetFullPath(Directory, contentRoot);
}

/// <summary>A committee is empty or at least two distinct model ids.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class CommitteeAttribute : ValidationAttribute
{
    public static IReadOnlyList<string> Ids(string? text) =>
        (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override bool IsValid(object? value) =>
        Ids(value as string) is var ids
        && (ids.Count == 0
            || (ids.Count >= 2 && ids.Distinct(StringComparer.Ordinal).Count() == ids.Count
                && ids.All(id => System.Text.RegularExpressions.Regex.IsMatch(id, ModelIds.Pattern))));

    public override string FormatErrorMessage(string name) =>
        $"{name} must be empty or name at least two different models by id (letters, digits, '.', '_' or '-'), separated by commas, the lead first";
}

/// <summary>What a model id may look like: a file name without its extension, safe in a URL and a path.</summary>
public static class ModelIds
{
    public const string Pattern = "^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$";
}
