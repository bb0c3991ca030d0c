using Microsoft.Playwright;

namespace LeNet5.Web.Tests.Support;

/// <summary>How the browser tests draw on the drawing page (mouse and finger), wait for its answers and save screenshots.</summary>
public static class PageDrawing
{
    public static readonly (float X, float Y)[] One = [(0.52f, 0.15f), (0.5f, 0.5f), (0.48f, 0.85f)];
    public static readonly (float X, float Y)[] Seven = [(0.28f, 0.2f), (0.72f, 0.2f), (0.6f, 0.45f), (0.45f, 0.85f)];
    public static readonly (float X, float Y)[] Zero = Ellipse(0.5f, 0.5f, 0.22f, 0.33f, 48);

    public static readonly BrowserNewContextOptions Desktop = new() { ViewportSize = new ViewportSize { Width = 1280, Height = 1000 } };
    public static readonly BrowserNewContextOptions Phone = new()
    {
        ViewportSize = new ViewportSize { Width = 390, Height = 844 }, DeviceScaleFactor = 3, IsMobile = true, HasTouch = true,
    };

    /// <summary>Opens the drawing page in the context, collecting console errors and page errors into <paramref name="consoleErrors"/>.</summary>
    public static async Task<IPage> OpenDrawingPageAsync(IBrowserContext context, string baseUrl, List<string> consoleErrors)
    {
        var page = await OpenPageAsync(context, baseUrl + "/", consoleErrors);
        await page.Locator("#pad").WaitForAsync();
        return page;
    }

    /// <summary>Opens the URL in a new page of the context, collecting console errors and page errors into <paramref name="consoleErrors"/>.</summary>
    public static async Task<IPage> OpenPageAsync(IBrowserContext context, string url, List<string> consoleErrors)
    {
        var page = await context.NewPageAsync();
        page.Console += (_, message) => { if (message.Type == "error") consoleErrors.Add(message.Text); };
        page.PageError += (_, error) => consoleErrors.Add(error);
        await page.GotoAsync(url);
        return page;
    }

    public static (float X, float Y)[] Ellipse(float cx, float cy, float rx, float ry, int points) =>
        [.. Enumerable.Range(0, points + 1).Select(i => (cx + rx * MathF.Sin(2 * MathF.PI * i / points), cy - ry * MathF.Cos(2 * MathF.PI * i / points)))];

    /// <summary>Draws strokes (coordinates 0..1 of the pad) with the mouse.</summary>
    public static async Task DrawWithMouseAsync(IPage page, params (float X, float Y)[][] strokes)
    {
        var box = (await page.Locator("#pad").BoundingBoxAsync())!;
        foreach (var stroke in strokes)
        {
            await page.Mouse.MoveAsync(box.X + stroke[0].X * box.Width, box.Y + stroke[0].Y * box.Height);
            await page.Mouse.DownAsync();
            foreach (var (x, y) in stroke.Skip(1))
                await page.Mouse.MoveAsync(box.X + x * box.Width, box.Y + y * box.Height, new MouseMoveOptions { Steps = 6 });
            await page.Mouse.UpAsync();
        }
    }

    /// <summary>Draws strokes with a finger: real touch input through the Chrome DevTools protocol.</summary>
    public static async Task DrawWithTouchAsync(IPage page, params (float X, float Y)[][] strokes)
    {
        var box = (await page.Locator("#pad").BoundingBoxAsync())!;
        var cdp = await page.Context.NewCDPSessionAsync(page);
        Dictionary<string, object> Touch(string type, double x, double y) => new()
        {
            ["type"] = type,
            ["touchPoints"] = type == "touchEnd" ? Array.Empty<object>() : new object[] { new Dictionary<string, object> { ["x"] = x, ["y"] = y, ["id"] = 1 } },
        };
        foreach (var stroke in strokes)
        {
            var points = stroke.Select(p => (X: box.X + p.X * box.Width, Y: box.Y + p.Y * box.Height)).ToArray();
            await cdp.SendAsync("Input.dispatchTouchEvent", Touch("touchStart", points[0].X, points[0].Y));
            for (int i = 1; i < points.Length; i++)
            {
                for (int step = 1; step <= 6; step++)
                {
                    double t = step / 6.0;
                    await cdp.SendAsync("Input.dispatchTouchEvent", Touch("touchMove",
                        points[i - 1].X + (points[i].X - points[i - 1].X) * t, points[i - 1].Y + (points[i].Y - points[i - 1].Y) * t));
                }
            }
            await cdp.SendAsync("Input.dispatchTouchEvent", Touch("touchEnd", 0, 0));
        }
    }

    /// <summary>Waits for the answer to the drawing as it is now; returns the digit and whether it was rejected.</summary>
    public static async Task<(int Digit, bool Rejected)> AnswerAsync(IPage page)
    {
        var version = await page.Locator("#pad").GetAttributeAsync("data-version");
        var result = page.Locator($"#result[data-version='{version}'][data-state='done']");
        await result.WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        return (int.Parse(await result.GetAttributeAsync("data-digit") ?? "-1"), await result.GetAttributeAsync("data-rejected") == "true");
    }

    public static string Screenshot(string name)
    {
        Directory.CreateDirectory(RepoPaths.ScreenshotsDirectory);
        return Path.Combine(RepoPaths.ScreenshotsDirectory, name);
    }
}
