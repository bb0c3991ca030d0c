using System.Diagnostics;

namespace LeNet5.Testing;

/// <summary>Runs the built <c>lenet5</c> as a separate process, the way scripts call it.</summary>
public static class CliRunner
{
    /// <summary>lenet5.dll of the configuration the tests were built in.</summary>
    public static string Path { get; } = System.IO.Path.Combine(RepoPaths.Root, "src", "LeNet5.Cli", "bin",
        AppContext.BaseDirectory.Contains($"{System.IO.Path.DirectorySeparatorChar}Debug{System.IO.Path.DirectorySeparatorChar}") ? "Debug" : "Release",
        "net10.0", "lenet5.dll");

    public static (int ExitCode, string Output, string Error) Run(params string[] args) => RunProcess("dotnet", [Path, .. args]);

    /// <summary>
    /// Runs any program to its end (killed after <paramref name="minutes"/>), with its output and error text;
    /// <paramref name="environment"/> sets variables on top of this process's, <paramref name="standardInput"/> is written to its standard input.
    /// </summary>
    public static (int ExitCode, string Output, string Error) RunProcess(string file, IEnumerable<string> args, string? workingDirectory = null, int minutes = 5,
        IReadOnlyDictionary<string, string>? environment = null, byte[]? standardInput = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = standardInput is not null, WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        // written once both outputs are being drained, so a program that writes before it has read everything cannot block us
        if (standardInput is not null)
        {
            process.StandardInput.BaseStream.Write(standardInput);
            process.StandardInput.Close();
        }
        if (!process.WaitForExit(TimeSpan.FromMinutes(minutes)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {minutes} minutes");
        }
        return (process.ExitCode, output.Result, error.Result);
    }

    public static string LastLine(string output) => output.TrimEnd().Split('\n')[^1].TrimEnd('\r');
}
