namespace LeNet5.Core.Tests.Kernels;

/// <summary>
/// The checked-in ConvolutionBlocks.g.cs is what <see cref="ConvolutionBlocksGenerator"/> writes,
/// so neither a hand edit of the file nor a change to the generator without regenerating goes unnoticed.
/// <see cref="RepoPaths.Root"/> finds the checkout by walking up from the test assembly to LeNet5Web.sln.
/// </summary>
public class GeneratedConvolutionBlocksTests
{
    private const string Regenerate = "LENET5_REGENERATE=1 dotnet test tests/LeNet5.Core.Tests --filter GeneratedConvolutionBlocksAreUpToDate";

    [Fact]
    public void GeneratedConvolutionBlocksAreUpToDate()
    {
        string path = Path.Combine(RepoPaths.Root, ConvolutionBlocksGenerator.RelativePath);
        string expected = ConvolutionBlocksGenerator.Generate();
        if (Environment.GetEnvironmentVariable("LENET5_REGENERATE") == "1")
            File.WriteAllText(path, expected);
        // line ends as git may have checked them out
        string actual = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : "";
        if (actual == expected) return;
        var expectedLines = expected.Split('\n');
        var actualLines = actual.Split('\n');
        int line = 0;
        while (line < expectedLines.Length && line < actualLines.Length && expectedLines[line] == actualLines[line]) line++;
        Assert.Fail(
            $"{ConvolutionBlocksGenerator.RelativePath} is not what ConvolutionBlocksGenerator writes (first difference at line {line + 1}).\n" +
            $"  generator: {Shown(expectedLines, line)}\n" +
            $"  file:      {Shown(actualLines, line)}\n" +
            $"Edit tests/LeNet5.Core.Tests/Kernels/ConvolutionBlocksGenerator.cs, not the generated file, then rewrite it from the repository root with:\n" +
            $"  {Regenerate}");
    }

    /// <summary>Line i of a text split at "\n" (whose last part, after the final line end, is empty).</summary>
    private static string Shown(string[] lines, int i) =>
        i >= lines.Length || i == lines.Length - 1 && lines[i].Length == 0 ? "(end of file)" : lines[i];
}
