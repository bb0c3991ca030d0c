using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace LeNet5.Web.Tests.Support;

/// <summary>
/// axe-core (Deque.AxeCore.Playwright) on a page as it stands: in the system's light and dark colour
/// scheme, and with the system light but the header's theme toggle pressed to dark.
/// </summary>
public static class Axe
{
    private static readonly ColorScheme[] Schemes = [ColorScheme.Light, ColorScheme.Dark];
    private static readonly string[] Blocking = ["serious", "critical"];

    /// <summary>One line per node of each serious or critical violation: where, the rule, the node and what is wrong with it.</summary>
    public static async Task<List<string>> SeriousViolationsAsync(IPage page, string what)
    {
        var found = new List<string>();
        foreach (var scheme in Schemes)
        {
            await page.EmulateMediaAsync(new() { ColorScheme = scheme });
            await CollectAsync(page, $"{what} ({scheme})", found);
        }
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Light });

        var toggle = page.GetByRole(AriaRole.Button, new() { Name = "Dark theme" });
        await toggle.ClickAsync();
        await page.Locator("html[data-theme='dark']").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await CollectAsync(page, $"{what} (toggled dark)", found);
        await toggle.ClickAsync(); // back to the system's light, which forgets the pick
        await page.Locator("html:not([data-theme])").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        return found;
    }

    private static async Task CollectAsync(IPage page, string where, List<string> found)
    {
        var result = await page.RunAxe();
        foreach (var violation in result.Violations.Where(v => Blocking.Contains(v.Impact)))
        foreach (var node in violation.Nodes)
            found.Add($"{where}: {violation.Id} ({violation.Impact}) at {node.Target}: {Summary(node)}");
    }

    /// <summary>The violations as a failure message.</summary>
    public static string Describe(IReadOnlyCollection<string> violations) =>
        $"{violations.Count} serious or critical accessibility violations:\n{string.Join('\n', violations)}";

    /// <summary>What axe found wrong with the node: the messages of its failed checks.</summary>
    private static string Summary(AxeResultNode node) =>
        string.Join("; ", new[] { node.Any, node.All, node.None }.SelectMany(checks => checks ?? []).Select(c => c.Message)).ReplaceLineEndings(" ");
}
