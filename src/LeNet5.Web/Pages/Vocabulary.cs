using LeNet5.Core.Explanation;
using LeNet5.Core.Layers;
using LeNet5.Web.Features.Training;

namespace LeNet5.Web.Pages;

/// <summary>
/// What the pages' scripts need to know about the network and the runs, handed to them as one JSON
/// island (<c>&lt;script type="application/json" id="vocabulary"&gt;</c>) so that no script keeps a copy.
/// </summary>
public static class Vocabulary
{
    /// <summary>Each layer's title and what it is, by the name the API gives its output.</summary>
    private static readonly Dictionary<string, string[]> LayerTitles = new()
    {
        ["input"] = ["Input", $"{InputEncoding.Side}x{InputEncoding.Side}: the 28x28 digit padded by {InputEncoding.Padding}, background {InputEncoding.Background}, ink {InputEncoding.Ink}"],
        ["c1"] = ["C1", "6 convolution maps, 5x5 kernels"],
        ["s2"] = ["S2", "6 maps pooled 2x2"],
        ["c3"] = ["C3", "16 convolution maps over chosen S2 maps"],
        ["s4"] = ["S4", "16 maps pooled 2x2"],
        ["c5"] = ["C5", "120 units, each sees all of S4"],
        ["fc"] = ["FC", "120 fully connected units"],
        ["f6"] = ["F6", $"84 units, drawn as a {Bitmaps.Width}x{Bitmaps.Height} bitmap"],
        ["output"] = ["Output", "10 logits"],
        ["rbf"] = ["RBF", "distance from F6 to each prototype (smaller is closer)"],
    };

    /// <summary>The drawing page's: the squashing amplitude, which layer kinds it bounds, every layer's title, and the RBF prototypes.</summary>
    public static string Drawing { get; } = JsonSerializer.Serialize(new
    {
        squash = ScaledTanh.A,
        // tanh outputs, and averages or maxima of them, lie in [-A, A]; other layers are drawn on their own range
        boundedKinds = new[] { ScaledTanh.KindName, Pooling.KindOf(PoolingKind.Average), Pooling.KindOf(PoolingKind.Max) },
        layers = LayerTitles,
        prototypes = Bitmaps.Prototypes(),
        prototypeWidth = Bitmaps.Width,
        prototypeHeight = Bitmaps.Height,
        // for inspecting a unit: how far back each layer kind reaches
        kernel = Convolution.K,
        poolWindow = Pooling.Window,
        kinds = new { conv = Convolution.KindName, fc = FullyConnected.KindName, tanh = ScaledTanh.KindName, subsample = Pooling.KindOf(PoolingKind.Subsampling) },
        squashSlope = ScaledTanh.S,
        nudge = new { budget = NudgeSettings.Default.Budget, steps = NudgeSettings.Default.MaxSteps },
    }, WebJson.Options);

    /// <summary>The admin page's: which run states are active or resumable, the phases in words, each network's pooling words, and the recipes.</summary>
    public static string Admin { get; } = JsonSerializer.Serialize(new
    {
        statuses = new { active = RunStates.Active, resumable = RunStates.Resumable },
        phases = Enum.GetValues<RunPhase>().ToDictionary(p => Tokens.Of(p), RunStates.Describe),
        // a network without pooling layers has one pooling word, the one its recipes are listed under
        poolings = Architecture.Names.ToDictionary(name => name, Architecture.PoolingsOf),
        recipes = TrainingSettings.Recipes(),
    }, WebJson.Options);
}
