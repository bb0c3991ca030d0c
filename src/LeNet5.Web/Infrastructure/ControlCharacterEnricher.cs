using System.Buffers;
using System.Text;
using Serilog.Core;
using Serilog.Events;

namespace LeNet5.Web.Infrastructure;

/// <summary>
/// Neutralises control characters in every logged string (a request path with <c>%0A</c> would
/// otherwise forge a log line, and <c>%1B[</c> would reach a terminal as an escape sequence): each
/// becomes a visible <c>\uXXXX</c>. That is the C0 controls and DEL, the C1 controls (NEL, U+0085,
/// ends a line for some log viewers; CSI, U+009B, starts an escape sequence on some terminals) and the
/// Unicode line and paragraph separators (U+2028, U+2029), which JavaScript-based viewers treat as line ends.
/// </summary>
public sealed class ControlCharacterEnricher : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        foreach (var (name, value) in logEvent.Properties)
        {
            if (Clean(value) is { } clean) logEvent.AddOrUpdateProperty(new LogEventProperty(name, clean));
        }
    }

    /// <summary>The value with its strings neutralised, or null when it held nothing to neutralise.</summary>
    private static LogEventPropertyValue? Clean(LogEventPropertyValue value) => value switch
    {
        ScalarValue { Value: string text } when text.AsSpan().ContainsAny(Controls) => new ScalarValue(Escape(text)),
        SequenceValue sequence when sequence.Elements.Any(e => Clean(e) is not null) => new SequenceValue(sequence.Elements.Select(e => Clean(e) ?? e)),
        StructureValue structure when structure.Properties.Any(p => Clean(p.Value) is not null) =>
            new StructureValue(structure.Properties.Select(p => new LogEventProperty(p.Name, Clean(p.Value) ?? p.Value)), structure.TypeTag),
        _ => null,
    };

    private static readonly SearchValues<char> Controls = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(c => (char)c), .. Enumerable.Range(0x7f, 0x21).Select(c => (char)c), '\u2028', '\u2029']);

    private static string Escape(string text)
    {
        var builder = new StringBuilder(text.Length + 8);
        foreach (char c in text)
        {
            if (Controls.Contains(c)) builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            else builder.Append(c);
        }
        return builder.ToString();
    }
}
