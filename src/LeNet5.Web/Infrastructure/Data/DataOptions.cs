namespace LeNet5.Web.Infrastructure.Data;

/// <summary>Where the app keeps what it writes: the SQLite database and the training checkpoints (section <c>Data</c>).</summary>
public sealed class DataOptions
{
    public const string Section = "Data";

    /// <summary>The data folder; relative paths are taken from the content root.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Directory { get; set; } = "App_Data";

    public string ResolveDirectory(string contentRoot) => Path.GetFullPath(Directory, contentRoot);
}
