using System.Text.RegularExpressions;
using LeNet5.Testing;

namespace LeNet5.Cli.Tests;

/// <summary>
/// <c>dotnet pack</c> makes lenet5 a .NET tool that installs with <c>dotnet tool install</c> from a
/// package folder and runs as a user would run it: packed from the built CLI, installed into a
/// temporary tool path from that folder alone (no other package source), then called by its name.
/// </summary>
public sealed class ToolPackageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lenet5-tool-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void PackedToolInstallsAndPredicts()
    {
        string packages = Path.Combine(_dir, "packages"), tools = Path.Combine(_dir, "tools");
        string configuration = CliRunner.Path.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
        string project = Path.Combine(RepoPaths.Root, "src", "LeNet5.Cli", "LeNet5.Cli.csproj");
        Run("dotnet", "pack", project, "-c", configuration, "--no-build", "--nologo", "-o", packages);
        var package = Assert.Single(Directory.GetFiles(packages, "LeNet5.Cli.*.nupkg"));
        string version = Regex.Match(Path.GetFileName(package), @"^LeNet5\.Cli\.(.+)\.nupkg$").Groups[1].Value;

        // only the local folder: the test proves the package carries everything the tool needs
        string config = Path.Combine(_dir, "nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration><packageSources><clear /><add key="local" value="{packages}" /></packageSources></configuration>
            """);
        Run("dotnet", "tool", "install", "--tool-path", tools, "--configfile", config, "LeNet5.Cli", "--version", version);

        string lenet5 = Path.Combine(tools, OperatingSystem.IsWindows() ? "lenet5.exe" : "lenet5");
        var help = Run(lenet5, "--help");
        Assert.Contains("Usage:", help);
        foreach (var verb in new[] { "train", "predict", "export", "bench" }) Assert.Contains(verb, help);

        var picture = Path.Combine(_dir, "digit.png");
        File.WriteAllBytes(picture, TestImages.MnistPng(TestMnist.Test.Image(0)));
        var answer = Run(lenet5, "predict", "--model", RepoPaths.ShippedModel, picture);
        Assert.StartsWith($"digit {TestMnist.Test.Labels[0]} confidence ", answer.Trim());
    }

    private string Run(string file, params string[] args)
    {
        var (exit, output, error) = CliRunner.RunProcess(file, args, _dir, minutes: 3);
        Assert.True(exit == 0, $"{file} {string.Join(' ', args)} exited {exit}:\n{output}\n{error}");
        return output;
    }
}
