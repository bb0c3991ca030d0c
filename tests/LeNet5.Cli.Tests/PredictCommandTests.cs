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

    [Fact]
    public void TheDefaultModelAnswersWithTheShippedCommitteeAsTheWebAppDoesUnlessAlone()
    {
        var image = Write("two.png", TestImages.MnistPng(TestMnist.Test.Image(1)));
        var (exit, output, error) = CliRunner.Run("predict", "--json", image);
        Assert.True(exit == 0, error);
        using var answer = System.Text.Json.JsonDocument.Parse(output);
        var votes = answer.RootElement.GetProperty("committee").EnumerateArray().ToArray();
        Assert.Equal(LeNet5.Core.Models.ShippedModels.Committee, votes.Select(v => v.GetProperty("model").GetString()));
        // the answer is the mean of the members' probabilities: its confidence lies between theirs
        double confidence = answer.RootElement.GetProperty("confidence").GetDouble();
        var agreeing = votes.Where(v => v.GetProperty("digit").GetInt32() == TestMnist.Test.Labels[1]).Select(v => v.GetProperty("confidence").GetDouble()).ToArray();
        Assert.Equal(votes.Length, agreeing.Length);
        Assert.InRange(confidence, agreeing.Min() - 1e-6, agreeing.Max() + 1e-6);

        var (exitAlone, alone, errorAlone) = CliRunner.Run("predict", "--json", "--alone", image);
        Assert.True(exitAlone == 0, errorAlone);
        Assert.DoesNotContain("committee", alone);
        var (_, other, _) = CliRunner.Run("predict", "--json", "--model", "lenet5-paper", image);
        Assert.DoesNotContain("committee", other);
    }

    [GeneratedRegex(@"^digit [0-9] confidence [01]\.[0-9]{2}( rejected)?$")]
    private static partial Regex OutputLine();
}
