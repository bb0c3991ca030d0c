namespace LeNet5.Web.Features.Models;

/// <summary>
/// Which models answer together (<see cref="ModelOptions.Committee"/>): asked for the committee's
/// lead, the members loaded now; asked for any other model, none (it answers alone).
/// </summary>
public sealed class ModelCommittee(IOptions<ModelOptions> options, ModelRegistry registry)
{
    private readonly IReadOnlyList<string> _ids = options.Value.CommitteeIds;

    /// <summary>The members that vote when <paramref name="entry"/> is asked, the lead first; null when it answers alone.</summary>
    public IReadOnlyList<ModelEntry>? For(ModelEntry entry)
    {
        if (_ids.Count == 0 || !string.Equals(entry.Id, _ids[0], StringComparison.Ordinal)) return null;
        var members = _ids.Skip(1).Select(registry.Get).OfType<ModelEntry>().Prepend(entry).ToArray();
        return members.Length >= 2 ? members : null;
    }

    /// <summary>The members named but not loaded: said once at start-up, since they cannot vote.</summary>
    public IReadOnlyList<string> Missing() => [.. _ids.Where(id => registry.Get(id) is null)];
}
