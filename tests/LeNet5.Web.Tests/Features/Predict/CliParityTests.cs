using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace LeNet5.Web.Tests.Features.Predict;

/// <summary>
/// <c>lenet5 predict</c> and <c>POST /api/predict</c> are two faces of one recognizer: for the same
/// images they give the same digit, the same confidence and the same <c>rejected</c>.
/// </summary>
public sealed partial class CliParityTests(LeNet5WebFactory factory, ITestOutputHelper output) : IClassFixture<LeNet5WebFactory>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lenet5web-parity-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>120 images: MNIST test digits as people would send them (formats, sizes), noise and scribbles.</summary>
    private IEnumerable<(string Name, byte[] Bytes)> Images()
    {
        var test = TestMnist.Test;
        string[] formats = ["png", "jpeg", "bmp", "gif", "webp"];
        for (int k = 0; k < 100; k++)
        {
            int i = k * 97 + 13;
            var format = formats[k % formats.Length];
            yield return ($"mnist-{i}.{format}", TestImages.MnistAs(test.Image(i), format, side: 56 + 20 * (k % 12)));
        }
        for (int seed = 0; seed < 10; seed++)
        {
            yield return ($"noise-{seed}.png", TestImages.Noise(120, seed));
            yield return ($"scribble-{seed}.png", TestImages.Scribble(200, seed));
        }
    }

    [Fact]
    public async Task TheCliAndTheApiAnswerEveryImageAlike()
    {
        var images = Images().Select(p => (Path: Path.Combine(_directory, p.Name), p.Bytes)).ToList();
        foreach (var (path, bytes) in images) File.WriteAllBytes(path, bytes);

        // both defaults: the shipped committee that lenet5 leads
        var (exit, stdout, stderr) = CliRunner.Run(["predict", .. images.Select(p => p.Path)]);
        Assert.True(exit == 0, stderr);
        var lines = stdout.TrimEnd().Split('\n');
        Assert.Equal(images.Count, lines.Length);

        var client = factory.CreateClient();
        int rejected = 0;
        for (int i = 0; i < images.Count; i++)
        {
            var api = await ApiAssert.Prediction(await client.PostAsync("/api/predict", Bodies.Raw(images[i].Bytes, "application/octet-stream")));
            var cli = Line().Match(lines[i]);
            Assert.True(cli.Success, $"line {i}: {lines[i]}");
            var name = Path.GetFileName(images[i].Path);
            Assert.True(api.Digit == int.Parse(cli.Groups["digit"].Value, CultureInfo.InvariantCulture), $"{name}: API {api.Digit}, CLI {lines[i]}");
            Assert.True(api.Confidence.ToString("0.00", CultureInfo.InvariantCulture) == cli.Groups["confidence"].Value, $"{name}: API {api.Confidence}, CLI {lines[i]}");
            Assert.True(api.Rejected == cli.Groups["rejected"].Success, $"{name}: API rejected={api.Rejected}, CLI {lines[i]}");
            if (api.Rejected) rejected++;
        }
        output.WriteLine($"{images.Count} images, {rejected} rejected by both");
        Assert.InRange(rejected, 10, 30); // the noise is rejected and the digits mostly are not: both verdicts were compared
    }

    [GeneratedRegex(@"^digit (?<digit>[0-9]) confidence (?<confidence>[01]\.[0-9]{2})(?<rejected> rejected)?$")]
    private static partial Regex Line();
}
