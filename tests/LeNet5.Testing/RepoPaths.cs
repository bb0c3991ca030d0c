using LeNet5.Core;

namespace LeNet5.Testing;

/// <summary>Where things are in the repository the tests run from.</summary>
public static class RepoPaths
{
    public static string Root { get; } = RepositoryRoot.Find() ?? throw new InvalidOperationException($"no {RepositoryRoot.SolutionFile} above {AppContext.BaseDirectory}");

    public static string ModelsDirectory => Path.Combine(Root, "models");

    /// <summary>The web app's default model.</summary>
    public static string ShippedModel => Path.Combine(ModelsDirectory, "lenet5.safetensors");

    public static string ScreenshotsDirectory => Path.Combine(Root, "docs", "screenshots");
}
