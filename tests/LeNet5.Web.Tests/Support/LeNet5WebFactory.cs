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
    private readonly Dictionary<string, string?> _settings = new()
    {
        ["RateLimit:PermitLimit"] = "1000000",
        ["Serilog:MinimumLevel:Default"] = "Warning",
        ["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Warning",
    };

    /// <summary>A factory whose configuration also holds these settings.</summary>
    public static LeNet5WebFactory With(IReadOnlyDictionary<string, string?> settings)
    {
        var factory = new LeNet5WebFactory();
        foreach (var (key, value) in settings) factory._settings[key] = value;
        return factory;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(_settings));
    }
}
