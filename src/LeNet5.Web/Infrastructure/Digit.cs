namespace LeNet5.Web.Infrastructure;

/// <summary>A digit the network tells apart, 0 to 9: a label, a prediction, a target. The one check of it.</summary>
public static class Digit
{
    public const int Min = 0, Max = 9;

    public static bool Is(int value) => value is >= Min and <= Max;

    /// <summary>A JSON number that is a digit.</summary>
    public static bool TryRead(JsonElement value, out int digit) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out digit) && Is(digit) || Fail(out digit);

    /// <summary>Query text that is a digit (no sign, no spaces).</summary>
    public static bool TryParse(string? text, out int digit) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out digit) && Is(digit) || Fail(out digit);

    /// <summary>What a field that is not a digit is told.</summary>
    public static string Required(string field) => $"{field} must be a digit from {Min} to {Max}";

    private static bool Fail(out int digit)
    {
        digit = -1;
        return false;
    }
}
