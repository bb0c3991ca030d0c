using System.Globalization;
using System.Reflection;
using System.Text.Json;
using LeNet5.Core.Networks;

namespace LeNet5.Core.Training;

/// <summary>The kind of value a setting takes: it decides the setting's CLI option and its admin form field.</summary>
public enum SettingKind
{
    /// <summary>One word of a fixed list (the network's options): a CLI choice, a form select.</summary>
    Choice,

    /// <summary>A whole number.</summary>
    Whole,

    /// <summary>A real number.</summary>
    Real,

    /// <summary>Free text.</summary>
    Text,

    /// <summary>On or off; on the CLI either way, <c>--sdlm on|off</c>.</summary>
    Switch,

    /// <summary>On or off; on the CLI a flag that turns it on, <c>--augment</c>.</summary>
    Flag,
}

/// <summary>
/// One training setting a person can give, declared once: its JSON name, CLI flag, form label,
/// description, kind and range. <see cref="All"/> drives the CLI's <c>train</c> options, the admin
/// API's validation messages and OpenAPI descriptions, the admin form's fields, and the copies between
/// <see cref="TrainingSettings"/> and <see cref="TrainingOptions"/> (by property name; the network's
/// words are <see cref="Architecture"/>'s, not the engine's options).
/// </summary>
public sealed record TrainingSettingInfo
{
    /// <summary>The JSON name, "batchSize"; in PascalCase, the property of <see cref="TrainingSettings"/> and <see cref="TrainingOptions"/>.</summary>
    public required string Name { get; init; }

    /// <summary>The <c>lenet5 train</c> option, "--batch".</summary>
    public required string Flag { get; init; }

    /// <summary>The admin form's label.</summary>
    public required string Label { get; init; }

    /// <summary>What it does: the CLI's help, the form's help and the OpenAPI description.</summary>
    public required string Description { get; init; }

    public required SettingKind Kind { get; init; }

    /// <summary>A <see cref="SettingKind.Choice"/>'s words.</summary>
    public IReadOnlyList<string> Choices { get; init; } = [];

    /// <summary>The inclusive range of a number, if it has one.</summary>
    public (double Min, double Max)? Between { get; init; }

    /// <summary>A number that must be above zero (and finite).</summary>
    public bool Positive { get; init; }

    /// <summary>What the form says when the recipe leaves the setting unset ("all 60,000").</summary>
    public string? Unset { get; init; }

    /// <summary>The form's step between values, if not a whole number's 1 or a real's "any".</summary>
    public string? Step { get; init; }

    /// <summary>The property's name, "BatchSize".</summary>
    public string Property => char.ToUpperInvariant(Name[0]) + Name[1..];

    /// <summary>Whether it is one of the engine's <see cref="TrainingOptions"/> (the rest describe the network).</summary>
    public bool IsOption => Kind != SettingKind.Choice;

    /// <summary>The setting's value in <paramref name="settings"/>; null when it is not given.</summary>
    public object? ValueIn(TrainingSettings settings) => Bound.Settings(this).GetValue(settings);

    /// <summary>The engine's value of an <see cref="IsOption"/> setting.</summary>
    public object? ValueIn(TrainingOptions options) => Bound.Options(this).GetValue(options);

    /// <summary>A copy of <paramref name="settings"/> with this setting's value.</summary>
    public TrainingSettings With(TrainingSettings settings, object? value)
    {
        var copy = settings with { };
        Bound.Settings(this).SetValue(copy, value);
        return copy;
    }

    /// <summary>Sets the value on options that no one else holds yet (a copy being filled in).</summary>
    internal void Fill(TrainingOptions fresh, object? value) => Bound.Options(this).SetValue(fresh, value);

    /// <summary>What is wrong with a value of the setting, or null when it is within its range (or has none).</summary>
    public string? Check(object? value)
    {
        if (value is null || (Between is null && !Positive)) return null;
        double v = Convert.ToDouble(value, CultureInfo.InvariantCulture);
        if (Between is var (min, max)) return v >= min && v <= max ? null : $"{Name} must be between {Format(min)} and {Format(max)}";
        return v > 0 && double.IsFinite(v) ? null : $"{Name} must be positive";
    }

    /// <summary>A bound as the setting's own type writes it: 0.999 for a real, 60000 for a whole number.</summary>
    public string Format(double bound) =>
        Kind == SettingKind.Real ? ((float)bound).ToString(CultureInfo.InvariantCulture) : ((long)bound).ToString(CultureInfo.InvariantCulture);

    /// <summary>The setting of this JSON name, or null.</summary>
    public static TrainingSettingInfo? Find(string name) => All.FirstOrDefault(s => s.Name == name);

    /// <summary>Every setting, in the admin form's order.</summary>
    public static IReadOnlyList<TrainingSettingInfo> All => TrainingSettingTable.All;

    /// <summary>The <see cref="IsOption"/> settings.</summary>
    public static IReadOnlyList<TrainingSettingInfo> Options => TrainingSettingTable.Options;

    /// <summary>
    /// The properties behind each setting, found once and checked against the table: every property
    /// of <see cref="TrainingSettings"/> is a setting, and every option setting is a property of
    /// <see cref="TrainingOptions"/> of its kind's type. A mismatch fails the first use of settings.
    /// </summary>
    private static class Bound
    {
        private static readonly Dictionary<string, (PropertyInfo Settings, PropertyInfo? Options)> Properties = Bind();

        public static PropertyInfo Settings(TrainingSettingInfo setting) => Properties[setting.Name].Settings;

        public static PropertyInfo Options(TrainingSettingInfo setting) =>
            Properties[setting.Name].Options ?? throw new InvalidOperationException($"{setting.Name} describes the network, not the engine's options");

        private static Dictionary<string, (PropertyInfo, PropertyInfo?)> Bind()
        {
            var settings = typeof(TrainingSettings).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToList();
            var names = settings.Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)).Order().ToList();
            if (!names.SequenceEqual(All.Select(s => s.Name).Order()))
                throw new InvalidOperationException($"TrainingSettings' properties ({string.Join(", ", names)}) and TrainingSettingTable's settings differ");
            var bound = new Dictionary<string, (PropertyInfo, PropertyInfo?)>();
            foreach (var setting in All)
            {
                var given = settings.Single(p => p.Name == setting.Property);
                var engine = setting.IsOption ? typeof(TrainingOptions).GetProperty(setting.Property) : null;
                var type = setting.Kind switch
                {
                    SettingKind.Whole => typeof(int),
                    SettingKind.Real => typeof(float),
                    SettingKind.Switch or SettingKind.Flag => typeof(bool),
                    _ => typeof(string),
                };
                if ((Nullable.GetUnderlyingType(given.PropertyType) ?? given.PropertyType) != type)
                    throw new InvalidOperationException($"TrainingSettings.{given.Name} is not a {type.Name}, as a {setting.Kind} setting is");
                if (setting.IsOption && (engine is null || (Nullable.GetUnderlyingType(engine.PropertyType) ?? engine.PropertyType) != type))
                    throw new InvalidOperationException($"TrainingOptions has no {type.Name} {setting.Property} for the {setting.Kind} setting {setting.Name}");
                bound[setting.Name] = (given, engine);
            }
            return bound;
        }
    }
}
