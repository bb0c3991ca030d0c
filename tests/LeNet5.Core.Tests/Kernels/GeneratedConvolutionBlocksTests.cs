namespace LeNet5.Core.Tests.Kernels;

/// <summary>
/// The checked-in ConvolutionBlocks.g.cs is what <see cref="ConvolutionBlocksGenerator"/> writes,
/// so neither a hand edit of the file nor a change to the generator without regenerating goes unnoticed.
/// </summary>
public class GeneratedConvolutionBlocksTests
{
    private const string Regenerate = "LENET5_REGENERATE=1 dotnet test tests/LeNet5.Core.Tests --filter GeneratedConvolutionBlocksAreUpToDate";

    [Fact]
    public void GeneratedConvolutionBlocksAreUpToDate()
    {
        string path = Path.Combine(RepositoryRoot(), ConvolutionBlocksGenerator.RelativePath);
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
            $"  generator: {(line < expectedLines.Length ? expectedLines[line] : "(end of file)")}\n" +
            $"  file:      {(line < actualLines.Length ? actualLines[line] : "(end of file)")}\n" +
            $"Edit tests/LeNet5.Core.Tests/Kernels/ConvolutionBlocksGenerator.cs, not the generated file, then rewrite it from the repository root with:\n" +
            $"  {Regenerate}");
    }

    /// <summary>The folder holding LeNet5Web.sln, found by walking up from the test assembly.</summary>
    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LeNet5Web.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"no LeNet5Web.sln above {AppContext.BaseDirectory}: run the tests from a checkout of the repository");
    }
}
