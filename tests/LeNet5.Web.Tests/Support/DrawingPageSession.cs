using Microsoft.Playwright;

namespace LeNet5.Web.Tests.Support;

/// <summary>A browser context of the test's own on the drawing page, closed after the test, collecting the page's console errors.</summary>
public abstract class DrawingPageSession(BrowserFixture browser) : IAsyncLifetime
{
    private IBrowserContext? _context;

    /// <summary>Console errors and uncaught page errors; a test asserts there were none.</summary>
    protected List<string> ConsoleErrors { get; } = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_context is not null) await _context.CloseAsync();
    }

    protected async Task<IPage> OpenAsync(BrowserNewContextOptions options)
    {
        _context = await browser.Browser.NewContextAsync(options);
        return await PageDrawing.OpenDrawingPageAsync(_context, browser.BaseUrl, ConsoleErrors);
    }
}
