using LeNet5.Core.Preparation;
using LeNet5.Testing;

namespace LeNet5.Imaging.Tests;

/// <summary>Every input the fuzzing campaign found breaking the decoding contract (Fuzz/) is now a refusal or a digit, and nothing else.</summary>
public sealed class FuzzFindingsTests
{
    public static TheoryData<string> Findings() =>
        [.. Directory.GetFiles(Path.Combine(RepoPaths.Root, "tests", "LeNet5.Imaging.Tests", "Fuzz"), "*.bin").Select(f => Path.GetFileName(f)).Order()];

    [Theory]
    [MemberData(nameof(Findings))]
    public async Task AFindingIsReadOrRefused(string file)
    {
        var input = File.ReadAllBytes(Path.Combine(RepoPaths.Root, "tests", "LeNet5.Imaging.Tests", "Fuzz", file));
        var thrown = await Deadline.Within(TimeSpan.FromSeconds(10), file, () => Record.Exception(() => new DigitImagePreparer().Prepare(input)));
        Assert.True(thrown is null or DigitPreparationException { Failure: PreparationFailure.Undecodable or PreparationFailure.TooLarge or PreparationFailure.Blank }, $"{file}: {thrown}");
    }
}
