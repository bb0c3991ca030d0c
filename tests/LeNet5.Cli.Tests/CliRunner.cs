using System.Diagnostics;
using LeNet5.Core.Data;

namespace LeNet5.Cli.Tests;

/// <summary>Runs the built <c>lenet5</c> as a separate process, the way scripts call it.</summary>
public static class CliRunner
{
    public static string RepositoryRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LeNet5Web.sln"))) return dir.FullName;
        throw new InvalidOperationException("LeNet5Web.sln not found above the test output");
    }

    public static string ShippedModel => Path.Combine(RepositoryRoot, "models", "lenet5.safetensors");

    /// <summary>The verified MNIST directory (fetched once if missing).</summary>
    public static string DataDirectory { get; } = EnsureData();

    private static string EnsureData()
    {
        var fetcher = new MnistFetcher(MnistFetcher.DefaultDirectory());
        fetcher.EnsureAvailable();
        return fetcher.DataDirectory;
    }

    public static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot, "src", "LeNet5.Cli", "bin", configuration, "net10.0", "lenet5.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"lenet5 {string.Join(' ', args)} did not finish");
        }
        return (process.ExitCode, output.Result, error.Result);
    }

    public static string LastLine(string output) => output.TrimEnd().Split('\n')[^1].TrimEnd('\r');
}
