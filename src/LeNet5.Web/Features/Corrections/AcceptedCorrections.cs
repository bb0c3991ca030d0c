using LeNet5.Core.Preparation;

namespace LeNet5.Web.Features.Corrections;

/// <summary>
/// The accepted drawings as training sees them: Core's <see cref="CorrectionSamples"/>, the train side
/// (when the run asks for it, with its weight) and the test side (always, so every run reports its
/// corrections error). A run freezes the ids it starts with, so a resume trains on the same set.
/// </summary>
public sealed class AcceptedCorrections(CorrectionStore store)
{
    /// <summary>The ids of the drawings accepted now, to freeze into a run.</summary>
    public IReadOnlyList<long> AcceptedIds() => [.. store.Accepted().Select(c => c.Id)];

    /// <summary>The samples of a run's frozen ids (those still accepted); <paramref name="weight"/> null trains on none of them.</summary>
    public CorrectionSamples Samples(IReadOnlyList<long> ids, int? weight)
    {
        var accepted = ids.Count == 0 ? [] : store.Accepted(ids);
        var test = accepted.Where(c => CorrectionSplit.IsTest(c.Id)).ToList();
        var train = weight is null ? [] : accepted.Where(c => !CorrectionSplit.IsTest(c.Id)).ToList();
        return new CorrectionSamples(Split(train), weight ?? 1, Split(test));
    }

    private static MnistSplit? Split(IReadOnlyList<CorrectionRecord> drawings)
    {
        if (drawings.Count == 0) return null;
        var images = new byte[drawings.Count * MnistLayout.Pixels];
        for (int i = 0; i < drawings.Count; i++) drawings[i].Pixels.CopyTo(images, i * MnistLayout.Pixels);
        return new MnistSplit(images, [.. drawings.Select(c => (byte)c.Label)]);
    }
}
