namespace LeNet5.Imaging.Tests;

/// <summary>Tests that count the whole process's allocations run one at a time, after the others, so that no other test's allocations show in their count.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Alone
{
    public const string Name = "alone";
}
