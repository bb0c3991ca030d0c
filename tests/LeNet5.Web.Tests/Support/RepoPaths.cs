namespace LeNet5.Web.Tests.Support;

/// <summary>Where things are in the repository, found by walking up to LeNet5Web.sln.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string ModelsDirectory => Path.Combine(Root, "models");

    public static string ScreenshotsDirectory => Path.Combine(Root, "docs", "screenshots");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LeNet5Web.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"no LeNet5Web.sln above {AppContext.BaseDirectory}");
    }
}
