using System.Text.RegularExpressions;
using LeNet5.Testing;

namespace LeNet5.Cli.Tests;

/// <summary><c>lenet5 predict --model PATH IMAGE...</c> prepares and judges images as the API does and prints a line for each.</summary>
public sealed partial class PredictCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lenet5-cli-predict-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void PredictPrintsTheDigitAndItsConfidence()
    {
        var image = Write("seven.jpg", TestImages.MnistAs(TestMnist.Test.Image(0), "jpeg"));
        var (exit, output, error) = CliRunner.Run("predict", "--model", RepoPaths.ShippedModel, image);
        Assert.True(exit == 0, error);
        Assert.Matches(OutputLine(), output.Trim());
        Assert.StartsWith($"digit {TestMnist.Test.Labels[0]} ", output);
        Assert.DoesNotContain("rejected", output);
    }

    [Fact]
    public void NoiseIsMarkedRejectedAndEveryImageGetsItsLineInOrder()
    {
        var noise = Write("noise.png", TestImages.Noise(200, seed: 7));
        var two = Write("two.png", TestImages.MnistPng(TestMnist.Test.Image(1)));
        var (exit, output, error) = CliRunner.Run("predict", "--model", RepoPaths.ShippedModel, noise, two);
        Assert.True(exit == 0, error);
        var lines = output.TrimEnd().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.All(lines, line => Assert.Matches(OutputLine(), line));
        Assert.EndsWith(" rejected", lines[0]);
        Assert.StartsWith($"digit {TestMnist.Test.Labels[1]} ", lines[1]);
        Assert.DoesNotContain("rejected", lines[1]);
    }

    [Fact]
    public void ABlankImageIsAnErrorWithAReason()
    {
        var image = Write("blank.png", TestImages.Plain(50, 50, new SixLabors.ImageSharp.PixelFormats.Rgba32(255, 255, 255)));
        var (exit, output, error) = CliRunner.Run("predict", "--model", RepoPaths.ShippedModel, image);
        Assert.Equal(1, exit);
        Assert.Empty(output);
        Assert.Contains("blank", error);
    }

    [GeneratedRegex(@"^digit [0-9] confidence [01]\.[0-9]{2}( rejected)?$")]
    private static partial Regex OutputLine();
}
