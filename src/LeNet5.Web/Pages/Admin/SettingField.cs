namespace LeNet5.Web.Pages.Admin;

/// <summary>
/// A training setting as the admin form shows it: a select, an input or a checkbox, its attributes from
/// the setting's row (<see cref="TrainingSettingInfo"/>) and its placeholder from <paramref name="Recipe"/>,
/// the default network's value (the script swaps in another network's as one is chosen).
/// </summary>
public sealed record SettingField(TrainingSettingInfo Setting, object? Recipe)
{
    public string Name => Setting.Name;

    public bool IsSelect => Setting.Kind == SettingKind.Choice;

    public bool IsCheckbox => Setting.Kind is SettingKind.Switch or SettingKind.Flag;

    public bool Checked => Recipe is true;

    public string Type => Setting.Kind == SettingKind.Text ? "text" : "number";

    public string? Min => Setting.Between is var (min, _) ? Setting.Format(min) : Setting.Positive ? "0" : null;

    public string? Max => Setting.Between is var (_, max) ? Setting.Format(max) : null;

    public string? Step => Setting.Step ?? Setting.Kind switch { SettingKind.Whole => "1", SettingKind.Real => "any", _ => null };

    public string? InputMode => Setting.Kind switch { SettingKind.Whole => "numeric", SettingKind.Real => "decimal", _ => null };

    public string? SpellCheck => Setting.Kind == SettingKind.Text ? "false" : null;

    public string Placeholder => Recipe switch
    {
        null => Setting.Unset ?? "",
        float real => real.ToString(CultureInfo.InvariantCulture),
        _ => Convert.ToString(Recipe, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>The recipe field the script reads this field's placeholder from; none when the recipes leave it unset.</summary>
    public string? RecipeField => Recipe is null ? null : Name;

    public string HelpId => $"help-{Name}";

    /// <summary>Every setting's field, in the table's order.</summary>
    public static IReadOnlyList<SettingField> For(TrainingSettings recipe) => [.. TrainingSettingInfo.All.Select(s => new SettingField(s, s.ValueIn(recipe)))];
}
