using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using LeNet5.Core.Data;
using LeNet5.Core.Models;
using LeNet5.Testing;

namespace LeNet5.Cli.Tests;

/// <summary>
/// <c>dotnet pack</c> makes lenet5 a .NET tool that installs with <c>dotnet tool install</c> from a
/// package folder and runs as a new user would run it: packed from the built CLI, installed into a
/// temporary tool path from that folder alone (no other package source), then called by its name from an
/// empty folder outside the repository, with a home and a data folder of its own.
/// </summary>
public sealed class ToolPackageTests(InstalledTool tool) : IClassFixture<InstalledTool>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lenet5-tool-user-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void PackedToolWorksOutsideTheRepository()
    {
        string work = Folder("work"), home = Folder("home"), dataHome = Folder("xdg-data");
        // a new user: a home and a data folder of their own, no $LENET5_DATA, standing in an empty folder outside the repository
        var user = new Dictionary<string, string> { ["HOME"] = home, [MnistLocation.XdgDataHome] = dataHome, [MnistLocation.EnvironmentVariable] = "" };
        (string Output, string Error) RunWithError(byte[]? input, params string[] args)
        {
            var (exit, output, error) = CliRunner.RunProcess(tool.Command, args, work, minutes: 5, user, input);
            Assert.True(exit == 0, $"lenet5 {string.Join(' ', args)} exited {exit}:\n{output}\n{error}");
            return (output, error);
        }
        string Run(byte[]? input, params string[] args) => RunWithError(input, args).Output;

        var help = Run(null, "--help");
        foreach (var verb in new[] { "train", "predict", "models", "export", "bench" }) Assert.Contains(verb, help);

        // the images: MNIST test digits, the first 7 and the first digit that is not a 7
        int seven = FirstIndex(label => label == 7), other = FirstIndex(label => label != 7);
        byte[] sevenPng = TestImages.MnistPng(TestMnist.Test.Image(seven)), otherPng = TestImages.MnistPng(TestMnist.Test.Image(other));
        File.WriteAllBytes(Path.Combine(work, "seven.png"), sevenPng);
        File.WriteAllBytes(Path.Combine(work, "a.png"), sevenPng);
        File.WriteAllBytes(Path.Combine(work, "b.png"), otherPng);
        File.WriteAllBytes(Path.Combine(work, "seven.webp"), TestImages.MnistAs(TestMnist.Test.Image(seven), "webp"));

        Assert.StartsWith("digit 7 confidence ", Run(null, "predict", "seven.png").Trim());
        Assert.StartsWith("digit 7 confidence ", Run(null, "predict", "--model", "lenet5-paper", "seven.png").Trim());
        Assert.StartsWith("digit 7 confidence ", Run(sevenPng, "predict", "-").Trim());
        // WebP is read by libwebp, a native library the package carries for this platform
        Assert.StartsWith("digit 7 confidence ", Run(null, "predict", "seven.webp").Trim());

        var lines = Run(null, "predict", "--json", "a.png", "b.png").TrimEnd().Split('\n');
        Assert.Equal(2, lines.Length);
        var (a, b) = (JsonDocument.Parse(lines[0]).RootElement, JsonDocument.Parse(lines[1]).RootElement);
        Assert.Equal("a.png", a.GetProperty("file").GetString());
        Assert.Equal(7, a.GetProperty("digit").GetInt32());
        Assert.Equal("b.png", b.GetProperty("file").GetString());
        Assert.Equal(TestMnist.Test.Labels[other], b.GetProperty("digit").GetInt32());
        foreach (var line in new[] { a, b })
        {
            Assert.Equal(ShippedModels.DefaultName, line.GetProperty("model").GetString());
            Assert.Equal(10, line.GetProperty("probabilities").GetArrayLength());
            Assert.InRange(line.GetProperty("confidence").GetSingle(), 0f, 1f);
            Assert.Contains(line.GetProperty("rejected").ValueKind, new[] { JsonValueKind.True, JsonValueKind.False });
        }
        Assert.False(a.GetProperty("rejected").GetBoolean());

        // the accuracy the repository states for its default model: the model file's metadata, which docs/results.md quotes
        var stated = ModelFile.Load(RepoPaths.ShippedModel).TestAccuracy!.Value;
        var models = Run(null, "models");
        Assert.Matches($@"(?m)^lenet5\s+{Regex.Escape(stated.ToString("0.00%", CultureInfo.InvariantCulture))}.*\(default\)", models);
        Assert.Matches(@"(?m)^lenet5-paper\s+\d", models);

        string userMnist = Path.Combine(dataHome, "lenet5", "mnist");
        Assert.Equal($"mnist ready: 60000 train, 10000 test in {userMnist}", CliRunner.LastLine(Run(null, "fetch-data")));
        Assert.All(MnistFile.All, f => Assert.True(File.Exists(Path.Combine(userMnist, f.Name)), f.Name));

        var evaluation = RunWithError(null, "evaluate");
        Assert.Contains($"found verified MNIST files in {userMnist}", evaluation.Error);
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"accuracy {stated:0.0000} on 10000 test images"), CliRunner.LastLine(evaluation.Output));
        Assert.False(Directory.Exists(Path.Combine(work, "data")), "nothing is written into the folder one stands in");
    }

    [Fact]
    public void UsageErrorsExitTwoAndUnreadableImagesOne()
    {
        string work = Folder("work");
        File.WriteAllBytes(Path.Combine(work, "seven.png"), TestImages.MnistPng(TestMnist.Test.Image(FirstIndex(label => label == 7))));
        File.WriteAllText(Path.Combine(work, "notes.png"), "not an image");

        var unknown = CliRunner.RunProcess(tool.Command, ["predict", "--model", "lenet9", "seven.png"], work);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("lenet9", unknown.Error);
        Assert.Contains("lenet5-paper", unknown.Error); // the message lists the names there are

        var some = CliRunner.RunProcess(tool.Command, ["predict", "seven.png", "notes.png"], work);
        Assert.Equal(1, some.ExitCode);
        Assert.StartsWith("digit 7 confidence ", some.Output.Trim());
        Assert.Contains("notes.png", some.Error);
    }

    private static int FirstIndex(Func<byte, bool> label) => Array.FindIndex(TestMnist.Test.Labels, l => label(l));

    private string Folder(string name) => Directory.CreateDirectory(Path.Combine(_dir, name)).FullName;
}

/// <summary>The tool, packed from the built CLI and installed once for the tests of <see cref="ToolPackageTests"/>.</summary>
public sealed class InstalledTool : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lenet5-tool-").FullName;

    public InstalledTool() => Command = PackAndInstall(_dir);

    /// <summary>The installed <c>lenet5</c>.</summary>
    public string Command { get; }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Packs the built CLI and installs it into a tool path of its own; returns the installed command.</summary>
    private static string PackAndInstall(string dir)
    {
        string packages = Path.Combine(dir, "packages"), tools = Path.Combine(dir, "tools");
        string configuration = CliRunner.Path.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
        string project = Path.Combine(RepoPaths.Root, "src", "LeNet5.Cli", "LeNet5.Cli.csproj");
        Run(dir, "dotnet", "pack", project, "-c", configuration, "--no-build", "--nologo", "-o", packages);
        var package = Assert.Single(Directory.GetFiles(packages, "LeNet5.Cli.*.nupkg"));
        string version = Regex.Match(Path.GetFileName(package), @"^LeNet5\.Cli\.(.+)\.nupkg$").Groups[1].Value;

        // only the local folder: the test proves the package carries everything the tool needs
        string config = Path.Combine(dir, "nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration><packageSources><clear /><add key="local" value="{packages}" /></packageSources></configuration>
            """);
        Run(dir, "dotnet", "tool", "install", "--tool-path", tools, "--configfile", config, "LeNet5.Cli", "--version", version);
        return Path.Combine(tools, OperatingSystem.IsWindows() ? "lenet5.exe" : "lenet5");
    }

    private static string Run(string dir, string file, params string[] args)
    {
        var (exit, output, error) = CliRunner.RunProcess(file, args, dir, minutes: 3);
        Assert.True(exit == 0, $"{file} {string.Join(' ', args)} exited {exit}:\n{output}\n{error}");
        return output;
    }
}
