using System.Diagnostics;
using System.Text.RegularExpressions;
using LeNet5.Web.Tests.Support;

namespace LeNet5.Web.Tests.Preparation;

/// <summary><c>lenet5 predict --model PATH IMAGE</c> prepares an image as the API does and prints one line.</summary>
public sealed partial class CliPredictTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lenet5web-cli-").FullName;

    private static string CliPath()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
        return Path.Combine(RepoPaths.Root, "src", "LeNet5.Cli", "bin", configuration, "net10.0", "lenet5.dll");
    }

    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(CliPath());
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "lenet5 predict did not finish");
        return (process.ExitCode, output.Result, error.Result);
    }

    [Fact]
    public void PredictPrintsTheDigitAndItsConfidence()
    {
        var image = Path.Combine(_directory, "seven.jpg");
        File.WriteAllBytes(image, TestImages.MnistAs(TestMnist.Test.Image(0), "jpeg"));
        var (exit, output, error) = Run("predict", "--model", Path.Combine(RepoPaths.ModelsDirectory, "lenet5.safetensors"), image);
        Assert.True(exit == 0, error);
        Assert.Matches(OutputLine(), output.Trim());
        Assert.StartsWith($"digit {TestMnist.Test.Labels[0]} ", output);
    }

    [Fact]
    public void ABlankImageIsAnErrorWithAReason()
    {
        var image = Path.Combine(_directory, "blank.png");
        File.WriteAllBytes(image, TestImages.Plain(50, 50, new SixLabors.ImageSharp.PixelFormats.Rgba32(255, 255, 255)));
        var (exit, output, error) = Run("predict", "--model", Path.Combine(RepoPaths.ModelsDirectory, "lenet5.safetensors"), image);
        Assert.Equal(1, exit);
        Assert.Empty(output);
        Assert.Contains("blank", error);
    }

    [GeneratedRegex(@"^digit [0-9] confidence [01]\.[0-9]{2}$")]
    private static partial Regex OutputLine();

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
