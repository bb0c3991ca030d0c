using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog.Core;
using Serilog.Events;

namespace LeNet5.Web.Tests.Infrastructure;

/// <summary>
/// A starting app answers <c>/healthz</c> 503 "Unhealthy" until its warm-up is done, and says so below
/// Warning: the first console a newcomer sees has no error in it.
/// </summary>
public sealed class WarmupLogTests
{
    private sealed class Kept : ILogEventSink
    {
        public ConcurrentQueue<LogEvent> Events { get; } = new();

        public void Emit(LogEvent logEvent) => Events.Enqueue(logEvent);
    }

    [Fact]
    public async Task WhileWarmingUpHealthzAnswers503AndNothingIsLoggedAsAWarningOrAnError()
    {
        var log = new Kept();
        using var factory = LeNet5WebFactory.With(new Dictionary<string, string?> { ["Admin:Token"] = AdminApp.Token }).WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<ILogEventSink>(log);
            // without its warm-up the app stays warming up
            services.Remove(services.Single(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == "Warmup"));
        }));
        var client = factory.CreateClient();

        for (int i = 0; i < 3; i++)
        {
            var health = await client.GetAsync("/healthz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Equal("Unhealthy", await health.Content.ReadAsStringAsync());
        }
        await Task.Delay(200); // the request log is written as each response completes
        Assert.Empty(log.Events.Where(e => e.Level >= LogEventLevel.Warning).Select(e => e.RenderMessage()));
    }
}
