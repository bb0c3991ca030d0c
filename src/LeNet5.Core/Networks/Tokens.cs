namespace LeNet5.Core.Networks;

/// <summary>
/// The words the options of a network go by everywhere (model files, the CLI, the API, the admin
/// form): an enum value in lower case, "average" for <see cref="Layers.PoolingKind.Average"/>.
/// </summary>
public static class Tokens
{
    public static string Of<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    /// <summary>Every word of an option, in declaration order.</summary>
    public static IReadOnlyList<string> All<T>() where T : struct, Enum => [.. Enum.GetValues<T>().Select(Of)];

    /// <summary>The value a word names (any case); a <see cref="FormatException"/> lists the words there are.</summary>
    public static T Parse<T>(string value) where T : struct, Enum =>
        Enum.TryParse<T>(value, ignoreCase: true, out var v) && Enum.IsDefined(v) && !value.Any(char.IsDigit)
            ? v
            : throw new FormatException($"'{value}' is not one of {string.Join(", ", All<T>())}");
}
