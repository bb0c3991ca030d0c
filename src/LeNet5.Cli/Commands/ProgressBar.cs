namespace LeNet5.Cli.Commands;

/// <summary>A one-line progress bar on standard error, drawn only when it is a terminal (stdout stays clean for scripts).</summary>
internal sealed class ProgressBar(string label)
{
    private readonly bool _enabled = !Console.IsErrorRedirected;
    private int _lastLength;

    public void Report(double fraction, string detail)
    {
        if (!_enabled) return;
        const int width = 30;
        int filled = (int)Math.Round(Math.Clamp(fraction, 0, 1) * width);
        var line = $"\r{label} [{new string('#', filled)}{new string('.', width - filled)}] {fraction * 100,5:0.0}% {detail}";
        Console.Error.Write(line.PadRight(_lastLength));
        _lastLength = line.Length;
    }

    public void Clear()
    {
        if (!_enabled || _lastLength == 0) return;
        Console.Error.Write("\r" + new string(' ', _lastLength) + "\r");
        _lastLength = 0;
    }
}
