using System.Globalization;

namespace LeNet5.Core.Training;

/// <summary>
/// The global learning rate epsilon per epoch, as "from-epoch:epsilon" steps. The paper's (appendix C):
/// 0.0005 for passes 1-2, 0.0002 for 3-5, 0.0001 for 6-8, 0.00005 for 9-12, 0.00001 after.
/// </summary>
public sealed class LearningRateSchedule
{
    public const string PaperText = "1:0.0005,3:0.0002,6:0.0001,9:0.00005,13:0.00001";
    public static readonly LearningRateSchedule Paper = Parse(PaperText);

    private readonly (int From, float Epsilon)[] _steps;

    private LearningRateSchedule((int, float)[] steps) => _steps = steps;

    /// <summary>Epsilon for a 1-based epoch.</summary>
    public float At(int epoch) => _steps.Last(s => s.From <= epoch).Epsilon;

    public static LearningRateSchedule Parse(string text)
    {
        var steps = new List<(int, float)>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = part.Split(':');
            if (kv.Length != 2 || !int.TryParse(kv[0], CultureInfo.InvariantCulture, out int from) || from < 1 ||
                !float.TryParse(kv[1], CultureInfo.InvariantCulture, out float eps) || !(eps > 0) || !float.IsFinite(eps))
                throw new FormatException($"bad schedule step '{part}': expected FROM_EPOCH:EPSILON such as 1:0.0005");
            steps.Add((from, eps));
        }
        if (steps.Count == 0 || steps[0].Item1 != 1)
            throw new FormatException("a schedule must start at epoch 1, e.g. 1:0.0005,3:0.0002");
        for (int i = 1; i < steps.Count; i++)
            if (steps[i].Item1 <= steps[i - 1].Item1) throw new FormatException("schedule steps must be in increasing epoch order");
        return new LearningRateSchedule([.. steps]);
    }

    public override string ToString() =>
        string.Join(',', _steps.Select(s => $"{s.From}:{s.Epsilon.ToString("R", CultureInfo.InvariantCulture)}"));
}
