namespace LeNet5.Imaging.Tests;

/// <summary>The tests that count <see cref="PixelBuffers.Outstanding"/> run one at a time, so no other test's rentals show in their count.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PixelBufferCount
{
    public const string Name = "pixel buffer count";
}
