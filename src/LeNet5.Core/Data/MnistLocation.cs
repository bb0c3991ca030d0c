namespace LeNet5.Core.Data;

/// <summary>Where MNIST is kept unless a caller names a folder.</summary>
public static class MnistLocation
{
    public const string EnvironmentVariable = "LENET5_DATA";

    /// <summary><c>$LENET5_DATA</c>, else <c>data/mnist</c> under the repository, else <c>data/mnist</c> under the working directory.</summary>
    public static string DefaultDirectory()
    {
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env)) return Path.GetFullPath(env);
        return Path.GetFullPath(Path.Combine(RepositoryRoot.Find() ?? Directory.GetCurrentDirectory(), "data", "mnist"));
    }
}
