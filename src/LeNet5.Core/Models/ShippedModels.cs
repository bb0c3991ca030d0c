namespace LeNet5.Core.Models;

/// <summary>A shipped model: its name (the file name without <see cref="ShippedModels.FileExtension"/>) and its file.</summary>
public sealed record ShippedModel(string Name, string Path);

/// <summary>
/// The one owner of where the shipped models are: <c>models/</c> next to the program (the .NET tool
/// carries them there), else the repository's top-level <c>models/</c>; and of how a model argument
/// (a shipped model's name or a file's path) becomes a file.
/// </summary>
public static class ShippedModels
{
    public const string FileExtension = ".safetensors";
    public const string FolderName = "models";

    /// <summary>The model a command uses when it is given none.</summary>
    public const string DefaultName = "lenet5";

    /// <summary>
    /// The shipped committee: asked for its lead (the default model), these models answer together,
    /// the mean of their calibrated probabilities (docs/results.md, "Other pens", says what it gains).
    /// The web app's Models:Committee and <c>lenet5 predict</c> start from it.
    /// </summary>
    public static readonly IReadOnlyList<string> Committee = [DefaultName, "lenet5-softmax", "lenet5-softmax-elastic"];

    /// <summary>The committee that answers when <paramref name="name"/> is asked: the shipped one for its lead, else none (null).</summary>
    public static IReadOnlyList<string>? CommitteeFor(string? name) =>
        (string.IsNullOrWhiteSpace(name) ? DefaultName : name) == Committee[0] ? Committee : null;

    /// <summary>The folders searched, in order: next to the program, then the repository's.</summary>
    public static IReadOnlyList<string> SearchedDirectories()
    {
        var folders = new List<string> { Path.Combine(AppContext.BaseDirectory, FolderName) };
        if (RepositoryRoot.Find() is { } root) folders.Add(Path.Combine(root, FolderName));
        return folders;
    }

    /// <summary>The first searched folder that holds a model file, or null.</summary>
    public static string? Directory() => Directory(SearchedDirectories());

    public static string? Directory(IEnumerable<string> searched) =>
        searched.FirstOrDefault(d => System.IO.Directory.Exists(d) && System.IO.Directory.EnumerateFiles(d, "*" + FileExtension).Any());

    /// <summary>The shipped models, ordered by name.</summary>
    public static IReadOnlyList<ShippedModel> List() => List(Directory());

    public static IReadOnlyList<ShippedModel> List(string? directory) =>
        directory is null
            ? []
            : [.. System.IO.Directory.EnumerateFiles(directory, "*" + FileExtension)
                .Select(f => new ShippedModel(Path.GetFileNameWithoutExtension(f), f))
                .OrderBy(m => m.Name, StringComparer.Ordinal)];

    /// <summary>
    /// The file a model argument names: none means <see cref="DefaultName"/>; anything that looks like a
    /// path (a folder separator or the <c>.safetensors</c> extension) is a path; a shipped model's name is
    /// that model, and any other existing file a path. Throws <see cref="ArgumentException"/> for an unknown name, listing the known ones.
    /// </summary>
    public static string Resolve(string? nameOrPath) => Resolve(nameOrPath, SearchedDirectories());

    public static string Resolve(string? nameOrPath, IReadOnlyList<string> searched)
    {
        var argument = string.IsNullOrWhiteSpace(nameOrPath) ? DefaultName : nameOrPath;
        if (LooksLikePath(argument)) return Path.GetFullPath(argument);
        var directory = Directory(searched);
        var models = List(directory);
        // a shipped model's name wins over a file of that name in the working folder (the tool's own
        // folder holds its executable, "lenet5"); any other existing file is a path
        return models.FirstOrDefault(m => m.Name == argument)?.Path
            ?? (File.Exists(argument) ? Path.GetFullPath(argument) : null)
            ?? throw new ArgumentException(directory is null
                ? $"no shipped model '{argument}': no model files in {string.Join(" or ", searched)}; give a .safetensors path."
                : $"no shipped model '{argument}' in {directory} (shipped: {string.Join(", ", models.Select(m => m.Name))}); a file needs its path or the {FileExtension} extension.");
    }

    private static bool LooksLikePath(string argument) =>
        argument.EndsWith(FileExtension, StringComparison.OrdinalIgnoreCase)
        || argument.Contains(Path.DirectorySeparatorChar)
        || argument.Contains(Path.AltDirectorySeparatorChar);
}
