namespace LeNet5.Core.Data;

/// <summary>A folder MNIST is kept in, and why that folder was chosen (for messages that say where they looked).</summary>
public sealed record MnistFolder(string Directory, string Reason);

/// <summary>
/// Where MNIST is kept unless a caller names a folder: one place per user outside the repository, so
/// a command run from any folder finds what <c>lenet5 fetch-data</c> stored before.
/// </summary>
public static class MnistLocation
{
    public const string EnvironmentVariable = "LENET5_DATA";
    public const string XdgDataHome = "XDG_DATA_HOME";

    /// <summary>The folder under the user's data folder: <c>lenet5/mnist</c>.</summary>
    public static readonly string UserSubdirectory = Path.Combine("lenet5", "mnist");

    /// <summary>The default folder's path (see <see cref="Choose(string?)"/>).</summary>
    public static string DefaultDirectory() => Choose(null).Directory;

    /// <summary>
    /// <paramref name="requested"/> (<c>--data</c>) when given, else <c>$LENET5_DATA</c>, else <c>data/mnist</c>
    /// under the repository this program runs from, else <c>lenet5/mnist</c> in the user's data folder.
    /// </summary>
    public static MnistFolder Choose(string? requested) =>
        Choose(requested, Environment.GetEnvironmentVariable, RepositoryRoot.Find());

    /// <summary>The rule itself, with the environment and the repository given (so tests can pose every case).</summary>
    public static MnistFolder Choose(string? requested, Func<string, string?> environment, string? repositoryRoot)
    {
        if (!string.IsNullOrWhiteSpace(requested)) return new(Path.GetFullPath(requested), "--data");
        var env = environment(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env)) return new(Path.GetFullPath(env), $"${EnvironmentVariable}");
        if (repositoryRoot is not null) return new(Path.GetFullPath(Path.Combine(repositoryRoot, "data", "mnist")), "the repository's data folder");
        return new(Path.Combine(UserDataDirectory(environment), UserSubdirectory), "your data folder");
    }

    /// <summary>
    /// The user's data folder: on Linux and other Unixes the XDG rule (<c>$XDG_DATA_HOME</c> when it is an
    /// absolute path, else <c>$HOME/.local/share</c>); on Windows and macOS the platform's local application data.
    /// </summary>
    public static string UserDataDirectory(Func<string, string?> environment)
    {
        if (OperatingSystem.IsWindows() || OperatingSystem.IsMacOS())
            return Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        // the XDG base directory specification ignores a relative $XDG_DATA_HOME
        var xdg = environment(XdgDataHome);
        if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg)) return xdg;
        var home = environment("HOME");
        if (string.IsNullOrWhiteSpace(home)) home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify);
        return Path.Combine(home, ".local", "share");
    }
}
