using System.Diagnostics;

namespace LeNet5.Web.Tests.Support;

/// <summary>
/// Redocly's OpenAPI linter (npm <c>@redocly/cli</c>), installed once into the repository's ignored
/// <c>.tools/</c> folder with npm; needs node and npm on the PATH (Debian: nodejs, npm).
/// </summary>
public static class Redocly
{
    public const string Version = "2.77.0";

    private static readonly string Folder = Path.Combine(RepoPaths.Root, ".tools", "redocly-" + Version);
    private static readonly SemaphoreSlim Installing = new(1, 1);

    /// <summary>Runs <c>redocly lint</c> with the recommended rules on the file; its exit code and everything it wrote.</summary>
    public static async Task<(int ExitCode, string Output)> LintAsync(string document)
    {
        var cli = await InstallAsync();
        return await RunAsync("node", [cli, "lint", "--extends=recommended", "--format=stylish", "--max-problems=1000", document], Path.GetDirectoryName(document)!);
    }

    private static async Task<string> InstallAsync()
    {
        var cli = Path.Combine(Folder, "node_modules", "@redocly", "cli", "bin", "cli.js");
        await Installing.WaitAsync();
        try
        {
            if (File.Exists(cli)) return cli;
            Directory.CreateDirectory(Folder);
            await File.WriteAllTextAsync(Path.Combine(Folder, "package.json"), "{ \"private\": true }\n");
            var (code, output) = await RunAsync("npm", ["install", "--no-save", "--no-audit", "--no-fund", "--prefix", Folder, "@redocly/cli@" + Version], Folder);
            Assert.True(code == 0 && File.Exists(cli), $"npm could not install @redocly/cli@{Version} (exit {code}):\n{output}");
            return cli;
        }
        finally
        {
            Installing.Release();
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, string[] arguments, string directory)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        start.Environment["NO_COLOR"] = "1";
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"the OpenAPI lint needs {program} on the PATH (Debian: apt-get install nodejs npm): {e.Message}", e);
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await output + await errors);
        }
    }
}
