namespace LeNet5.Core;

/// <summary>
/// The checkout this program runs from: the folder holding <c>LeNet5Web.sln</c>, found by walking up
/// from the working directory and from the program's own folder (a built CLI, a test assembly).
/// </summary>
public static class RepositoryRoot
{
    public const string SolutionFile = "LeNet5Web.sln";

    /// <summary>The repository's root folder, or null when the program does not run from a checkout.</summary>
    public static string? Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, SolutionFile))) return dir.FullName;
            }
        }
        return null;
    }
}
