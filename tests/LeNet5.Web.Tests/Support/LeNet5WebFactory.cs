using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;

namespace LeNet5.Web.Tests.Support;

/// <summary>
/// The web app in memory, with the repository's models. The rate limit is lifted (every test client
/// shares one address) unless a test sets its own; log output is kept to warnings.
/// </summary>
public class LeNet5WebFactory : WebApplicationFactory<Program>
{
    // run history and checkpoints go to a folder of the test's own, never into the source tree
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("lenet5web-data-").FullName;

    private readonly Dictionary<string, string?> _settings = new()
    {
        ["RateLimit:PermitLimit"] = "1000000",
        ["RateLimit:AdminPermitLimit"] = "1000000",
        ["RateLimit:LoginPermitLimit"] = "1000000",
        ["RateLimit:CorrectionsPermitLimit"] = "1000000",
        ["Serilog:MinimumLevel:Default"] = "Warning",
        ["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Warning",
    };

    public LeNet5WebFactory()
    {
    }

    /// <summary>A factory whose configuration also holds these settings (a class fixture of its own derives with them).</summary>
    protected LeNet5WebFactory(IReadOnlyDictionary<string, string?> settings)
    {
        foreach (var (key, value) in settings) _settings[key] = value;
    }

    /// <summary>A factory whose configuration also holds these settings.</summary>
    public static LeNet5WebFactory With(IReadOnlyDictionary<string, string?> settings) => new(settings);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        _settings.TryAdd("Data:Directory", _dataDirectory);
        builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(_settings));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Directory.Exists(_dataDirectory))
        {
            try
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // a file still held open by a finishing host; the temp folder is cleaned by the OS
            }
        }
    }
}
