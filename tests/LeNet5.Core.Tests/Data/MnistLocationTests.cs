using LeNet5.Core.Data;

namespace LeNet5.Core.Tests;

/// <summary>The rule for where MNIST is kept: --data, else $LENET5_DATA, else the repository's data/mnist, else the user's data folder.</summary>
public sealed class MnistLocationTests
{
    private static readonly string Home = Path.Combine(Path.GetTempPath(), "someone");
    private static readonly string DataHome = Path.Combine(Path.GetTempPath(), "someone-data");
    private static readonly string Repository = Path.Combine(Path.GetTempPath(), "checkout");

    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    /// <summary>The user's data folder this platform uses on Linux: <c>lenet5/mnist</c> under <paramref name="xdgOrHomeShare"/>.</summary>
    private static string UserFolder(string xdgOrHomeShare) =>
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS()
            ? Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.LocalApplicationData, System.Environment.SpecialFolderOption.DoNotVerify), "lenet5", "mnist")
            : Path.Combine(xdgOrHomeShare, "lenet5", "mnist");

    [Fact]
    public void OutsideTheRepositoryXdgDataHomeHoldsIt()
    {
        var folder = MnistLocation.Choose(null, Environment(("HOME", Home), (MnistLocation.XdgDataHome, DataHome)), repositoryRoot: null);
        Assert.Equal(UserFolder(DataHome), folder.Directory);
    }

    [Fact]
    public void OutsideTheRepositoryWithoutXdgDataHomeTheHomesLocalShareHoldsIt()
    {
        var folder = MnistLocation.Choose(null, Environment(("HOME", Home)), repositoryRoot: null);
        Assert.Equal(UserFolder(Path.Combine(Home, ".local", "share")), folder.Directory);
    }

    [Fact]
    public void ARelativeXdgDataHomeIsIgnoredAsTheSpecificationSays()
    {
        var folder = MnistLocation.Choose(null, Environment(("HOME", Home), (MnistLocation.XdgDataHome, "relative/data")), repositoryRoot: null);
        Assert.Equal(UserFolder(Path.Combine(Home, ".local", "share")), folder.Directory);
    }

    [Fact]
    public void InsideTheRepositoryItsDataFolderHoldsIt()
    {
        var folder = MnistLocation.Choose(null, Environment(("HOME", Home), (MnistLocation.XdgDataHome, DataHome)), Repository);
        Assert.Equal(Path.Combine(Repository, "data", "mnist"), folder.Directory);
        Assert.Contains("repository", folder.Reason);
    }

    [Fact]
    public void Lenet5DataOverridesTheRepositoryAndTheUserFolder()
    {
        var chosen = Path.Combine(Path.GetTempPath(), "elsewhere");
        var folder = MnistLocation.Choose(null, Environment((MnistLocation.EnvironmentVariable, chosen), (MnistLocation.XdgDataHome, DataHome)), Repository);
        Assert.Equal(chosen, folder.Directory);
        Assert.Contains(MnistLocation.EnvironmentVariable, folder.Reason);
    }

    [Fact]
    public void DataOptionOverridesEverything()
    {
        var chosen = Path.Combine(Path.GetTempPath(), "asked-for");
        var folder = MnistLocation.Choose(chosen, Environment((MnistLocation.EnvironmentVariable, "/somewhere/else"), (MnistLocation.XdgDataHome, DataHome)), Repository);
        Assert.Equal(chosen, folder.Directory);
        Assert.Equal("--data", folder.Reason);
    }

    [Fact]
    public void ARelativeDataOptionIsTakenFromTheWorkingDirectory()
    {
        var folder = MnistLocation.Choose("mine", Environment(), repositoryRoot: null);
        Assert.Equal(Path.Combine(Directory.GetCurrentDirectory(), "mine"), folder.Directory);
    }
}
