namespace LeNet5.Web.Tests.Infrastructure;

/// <summary>A setting out of range stops the app at start-up with one line that names it, its value and what is allowed.</summary>
public sealed class SettingsTests
{
    private static (int ExitCode, string Error) Start(params (string Key, string Value)[] environment)
    {
        using var web = new WebProcess(Directory.CreateTempSubdirectory("lenet5web-settings-").FullName, environment);
        int exit = web.WaitForExit();
        return (exit, string.Join('\n', web.Lines.Where(l => !l.StartsWith('['))));
    }

    [Theory]
    [InlineData("RateLimit__PermitLimit", "100000000", "RateLimit:PermitLimit = '100000000'", "between 1 and 10000000")]
    [InlineData("Limits__MaxConcurrentDecodes", "0", "Limits:MaxConcurrentDecodes = '0'", "between 1 and 256")]
    [InlineData("Admin__Token", "too-short", "Admin:Token = (9 characters, not shown)", "at least 32 characters")]
    [InlineData("Data__Provider", "mysql", "Data:Provider = 'mysql'", "must be sqlite (the embedded default) or postgres")]
    public void ABadSettingEndsStartUpWithOneLineSayingWhy(string variable, string value, string named, string allowed)
    {
        var (exit, error) = Start((variable, value));
        Assert.NotEqual(0, exit);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line, got:\n{error}");
        Assert.Contains(named, lines[0]);
        Assert.Contains(allowed, lines[0]);
        Assert.DoesNotContain(value == "too-short" ? value : "   at ", error);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Port=not-a-port", "not a valid Npgsql connection string")]
    [InlineData("Username=postgres", "names no Host")]
    [InlineData("", "a connection string is needed")]
    public void APostgresProviderWithABadConnectionStringEndsStartUpWithOneLine(string connectionString, string why)
    {
        var (exit, error) = Start(("Data__Provider", "postgres"), ("ConnectionStrings__Postgres", connectionString));
        Assert.NotEqual(0, exit);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line, got:\n{error}");
        Assert.Contains("ConnectionStrings:Postgres", lines[0]);
        Assert.Contains(why, lines[0]);
    }
}
