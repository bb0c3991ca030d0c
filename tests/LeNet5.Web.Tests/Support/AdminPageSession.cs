using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace LeNet5.Web.Tests.Support;

/// <summary>
/// An app of the test's own (temp data folder, temp copy of the models, the known admin token) on a
/// real loopback port, and a desktop browser context on it, both closed after the test; the pages'
/// console errors are collected.
/// </summary>
public abstract class AdminPageSession(BrowserFixture browser) : IAsyncLifetime
{
    /// <summary>Only keeps a broken build from hanging; not a speed requirement.</summary>
    protected const int WaitMs = 300_000;

    private LeNet5WebFactory _factory = null!;

    protected AdminApp App { get; } = new();

    protected IBrowserContext Context { get; private set; } = null!;

    protected string BaseUrl { get; private set; } = "";

    /// <summary>Console errors and uncaught page errors; a test asserts there were none.</summary>
    protected List<string> ConsoleErrors { get; } = [];

    public async Task InitializeAsync()
    {
        _factory = App.Factory();
        _factory.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        _factory.StartServer();
        BaseUrl = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        Context = await browser.Browser.NewContextAsync(PageDrawing.Desktop);
    }

    public async Task DisposeAsync()
    {
        await Context.CloseAsync();
        await _factory.DisposeAsync();
        App.Dispose();
    }

    /// <summary>A client of the admin API on the app's port, with the admin token as bearer (the caller disposes it).</summary>
    protected HttpClient AdminApi()
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminApp.Token);
        return client;
    }

    /// <summary>A new page that reports its console errors.</summary>
    protected async Task<IPage> NewPageAsync()
    {
        var page = await Context.NewPageAsync();
        page.Console += (_, message) => { if (message.Type == "error") ConsoleErrors.Add(message.Text); };
        page.PageError += (_, error) => ConsoleErrors.Add(error);
        return page;
    }

    /// <summary>Signs in on the page the admin area sent the page to, and waits to be back at <paramref name="path"/>.</summary>
    protected async Task SignInAsync(IPage page, string path)
    {
        await page.GetByLabel("Admin token").FillAsync(AdminApp.Token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(BaseUrl + path);
    }
}
