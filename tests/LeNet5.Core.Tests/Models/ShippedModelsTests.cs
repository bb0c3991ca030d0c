using LeNet5.Core.Models;

namespace LeNet5.Core.Tests;

/// <summary>Where the shipped models are found, and how a --model argument (a name or a path) becomes a file.</summary>
public sealed class ShippedModelsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lenet5-shipped-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly IReadOnlyList<string> RepositoryOnly = [RepoPaths.ModelsDirectory];

    [Fact]
    public void NoArgumentMeansTheDefaultModel() =>
        Assert.Equal(RepoPaths.ShippedModel, ShippedModels.Resolve(null, RepositoryOnly));

    [Fact]
    public void ANameIsAShippedModel() =>
        Assert.Equal(Path.Combine(RepoPaths.ModelsDirectory, "lenet5-paper.safetensors"), ShippedModels.Resolve("lenet5-paper", RepositoryOnly));

    [Theory]
    [InlineData("mine.safetensors")]
    [InlineData("runs/lenet5")]
    public void APathIsAPathEvenWhenMissing(string argument) =>
        Assert.Equal(Path.GetFullPath(argument), ShippedModels.Resolve(argument, RepositoryOnly));

    [Fact]
    public void AnExistingFileIsAPathWhateverItsName()
    {
        var file = Path.Combine(_dir, "lenet5");
        File.Copy(RepoPaths.ShippedModel, file);
        Assert.Equal(file, ShippedModels.Resolve(file, RepositoryOnly));
    }

    [Fact]
    public void AnUnknownNameListsTheKnownOnes()
    {
        var ex = Assert.Throws<ArgumentException>(() => ShippedModels.Resolve("lenet9", RepositoryOnly));
        Assert.Contains("lenet9", ex.Message);
        Assert.Contains("lenet5-paper", ex.Message);
        Assert.Contains(RepoPaths.ModelsDirectory, ex.Message);
    }

    [Fact]
    public void AFolderWithoutModelsIsPassedOver()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_dir, "models")).FullName;
        Assert.Equal(RepoPaths.ModelsDirectory, ShippedModels.Directory([empty, RepoPaths.ModelsDirectory]));
        Assert.Equal(RepoPaths.ShippedModel, ShippedModels.Resolve(null, [empty, RepoPaths.ModelsDirectory]));
    }

    [Fact]
    public void TheFolderNextToTheProgramComesFirst()
    {
        var nextToProgram = Directory.CreateDirectory(Path.Combine(_dir, "models")).FullName;
        File.Copy(RepoPaths.ShippedModel, Path.Combine(nextToProgram, "only.safetensors"));
        Assert.Equal(["only"], ShippedModels.List(ShippedModels.Directory([nextToProgram, RepoPaths.ModelsDirectory])).Select(m => m.Name));
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, ShippedModels.FolderName), ShippedModels.SearchedDirectories()[0]);
    }

    [Fact]
    public void NoModelsAnywhereIsNamedClearly()
    {
        var ex = Assert.Throws<ArgumentException>(() => ShippedModels.Resolve(null, [_dir]));
        Assert.Contains(_dir, ex.Message);
    }
}
