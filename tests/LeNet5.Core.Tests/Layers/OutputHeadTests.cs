using LeNet5.Core.Layers;

namespace LeNet5.Core.Tests.Layers;

public sealed class OutputHeadTests
{
    // Distances of hundreds at a small temperature put every exp(-y/T) below float's range:
    // the probabilities must still be a distribution, found by shifting by the best score.
    [Fact]
    public void RbfProbabilitiesStayFiniteForLargeDistances()
    {
        float[] distances = [600, 610, 605, 700, 800, 640, 650, 660, 670, 680];
        var p = new float[OutputHead.Classes];
        new RbfHead(RbfCriterion.Map).Probabilities(distances, 0.5f, p);
        Assert.All(p, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(1f, p.Sum(), 1e-5f);
        Assert.Equal(0, Array.IndexOf(p, p.Max()));
        Assert.Equal(1f / (1f + MathF.Exp(-20f) + MathF.Exp(-10f)), p[0], 1e-6f);
    }

    [Fact]
    public void SoftmaxProbabilitiesStayFiniteForLargeLogits()
    {
        float[] logits = [200, 190, -50, 0, 0, 0, 0, 0, 0, 0];
        var p = new float[OutputHead.Classes];
        new SoftmaxHead().Probabilities(logits, 0.5f, p);
        Assert.All(p, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(1f / (1f + MathF.Exp(-20f)), p[0], 1e-6f);
    }
}
