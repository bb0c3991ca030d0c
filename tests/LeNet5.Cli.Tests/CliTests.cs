using System.Globalization;
using System.Text.RegularExpressions;
using LeNet5.Testing;

namespace LeNet5.Cli.Tests;

public sealed partial class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lenet5-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("fetch-data")]
    [InlineData("train")]
    [InlineData("evaluate")]
    [InlineData("predict")]
    [InlineData("models")]
    [InlineData("export")]
    [InlineData("bench")]
    public void EveryVerbHasHelp(string verb)
    {
        var (exit, output, _) = CliRunner.Run(verb, "--help");
        Assert.Equal(0, exit);
        Assert.Contains("Usage:", output);
        Assert.Contains(verb, output);
    }

    [Fact]
    public void UnknownVerbIsAnError()
    {
        var (exit, _, error) = CliRunner.Run("fly");
        Assert.NotEqual(0, exit);
        Assert.Contains("fly", error);
    }

    [Fact]
    public void TrainWithoutOutIsAnError()
    {
        var (exit, _, error) = CliRunner.Run("train", "--epochs", "1");
        Assert.NotEqual(0, exit);
        Assert.Contains("--out", error);
    }

    [Theory]
    [InlineData("--arch", "lenet6", "lenet6")]
    [InlineData("--pooling", "median", "median")]
    [InlineData("--epochs", "zero", "zero")]
    public void BadOptionValueIsNamed(string option, string value, string expected)
    {
        var (exit, _, error) = CliRunner.Run("train", option, value, "--out", Path.Combine(_dir, "m.safetensors"));
        Assert.NotEqual(0, exit);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void OutOfRangeSettingIsRefusedBeforeTraining()
    {
        var (exit, _, error) = CliRunner.Run("train", "--epochs", "0", "--out", Path.Combine(_dir, "m.safetensors"));
        Assert.Equal(1, exit);
        Assert.Contains("epochs", error);
        Assert.False(File.Exists(Path.Combine(_dir, "m.safetensors")));
    }

    [Fact]
    public void EvaluateRefusesACorruptModelClearly()
    {
        var path = Path.Combine(_dir, "broken.safetensors");
        var bytes = File.ReadAllBytes(RepoPaths.ShippedModel);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var (exit, _, error) = CliRunner.Run("evaluate", "--model", path, "--data", TestMnist.Directory);
        Assert.Equal(1, exit);
        Assert.Contains("truncated", error);
    }

    [Fact]
    public void FetchDataConfirmsVerifiedData()
    {
        var (exit, output, error) = CliRunner.Run("fetch-data", "--data", TestMnist.Directory);
        Assert.True(exit == 0, error);
        Assert.Equal($"mnist ready: 60000 train, 10000 test in {TestMnist.Directory}", CliRunner.LastLine(output));
    }

    [Fact]
    public void EvaluateMeasuresACommitteeAndSaysSo()
    {
        var (exit, output, error) = CliRunner.Run("evaluate", "--model", "lenet5", "--committee", "lenet5-softmax,lenet5-paper", "--set", "flag-ones", "--data", TestMnist.Directory);
        Assert.True(exit == 0, error);
        Assert.Contains("committee lenet5 + lenet5-softmax + lenet5-paper: the mean of 3 models' calibrated probabilities", output);
        Assert.Matches(@"^accuracy (0\.\d{4}|1\.0000) on 1000 flag-ones images$", CliRunner.LastLine(output));
    }

    [Fact]
    public void ShippedModelReachesThePapersAccuracy()
    {
        var (exit, output, error) = CliRunner.Run("evaluate", "--model", RepoPaths.ShippedModel, "--data", TestMnist.Directory);
        Assert.True(exit == 0, error);
        var match = AccuracyLine().Match(CliRunner.LastLine(output));
        Assert.True(match.Success, $"last line: {CliRunner.LastLine(output)}");
        double accuracy = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(accuracy >= 0.990, $"shipped model accuracy {accuracy}");
        Assert.Contains("confusion matrix", output);
    }

    [Fact]
    public void ShortTrainingWritesAModelAndReportsEveryEpoch()
    {
        var model = Path.Combine(_dir, "short.safetensors");
        var (exit, output, error) = CliRunner.Run("train", "--arch", "lenet5", "--epochs", "2", "--train-limit", "2000",
            "--out", model, "--data", TestMnist.Directory);
        Assert.True(exit == 0, error);
        Assert.Equal(2, EpochLine().Matches(output).Count);
        Assert.Matches(AccuracyLine(), CliRunner.LastLine(output));
        Assert.True(File.Exists(model));
        Assert.False(File.Exists(model + ".ckpt")); // the checkpoint goes once the model is saved

        var (evalExit, evalOutput, _) = CliRunner.Run("evaluate", "--model", model, "--data", TestMnist.Directory);
        Assert.Equal(0, evalExit);
        Assert.Equal(CliRunner.LastLine(output), CliRunner.LastLine(evalOutput)); // the same accuracy, measured again
    }

    [Theory]
    [InlineData("flag-ones", 1000)]
    [InlineData("thick-pen", 10000)]
    [InlineData("fat-marker", 10000)]
    [InlineData("continental", 1000)]
    [InlineData("slant", 10000)]
    public void EvaluateMeasuresOtherPens(string set, int count)
    {
        var (exit, output, error) = CliRunner.Run("evaluate", "--model", RepoPaths.ShippedModel, "--set", set, "--data", TestMnist.Directory);
        Assert.True(exit == 0, error);
        Assert.Matches($@"^accuracy (0\.\d{{4}}|1\.0000) on {count} {set} images$", CliRunner.LastLine(output));
    }

    [Fact]
    public void EveryBenchModeStartsWithTheCpuAndTheKernelsItRanOn()
    {
        var (exit, output, error) = CliRunner.Run("bench", "--prepare-only", "--span", "0.1", "--data", TestMnist.Directory);
        Assert.True(exit == 0, error);
        var first = output.Split('\n')[0];
        Assert.StartsWith("machine: ", first);
        // the model name as Linux reports it, read here from the same file lscpu reads
        var model = File.ReadLines("/proc/cpuinfo").First(l => l.StartsWith("model name", StringComparison.Ordinal)).Split(':', 2)[1].Trim();
        Assert.Contains(model, first);
        Assert.Matches(@"kernels (Vector512|Portable) ", first);
        // and what those kernels run, as the engine describes the path it chose
        Assert.Contains(LeNet5.Core.Kernels.KernelPaths.Describe(LeNet5.Core.Kernels.KernelPaths.Fastest), first);
        Assert.Contains("prepare-280 p50", output);
    }

    [Fact]
    public void DryRunShowsTheDistortionsAsked()
    {
        var (exit, output, error) = CliRunner.Run("train", "--elastic", "--stroke-width", "--dry-run");
        Assert.True(exit == 0, error);
        Assert.Contains("\"elastic\":true", output);
        Assert.Contains("\"strokeWidth\":true", output);
        Assert.Contains("\"augment\":false", output);
    }

    [GeneratedRegex(@"^accuracy (0\.\d{4}|1\.0000) on 10000 test images$")]
    private static partial Regex AccuracyLine();

    [GeneratedRegex(@"epoch +\d+/\d+ +train-error +[\d.]+% +test-error +[\d.]+% +loss +[\d.]+ +[\d,]+ img/s")]
    private static partial Regex EpochLine();
}
