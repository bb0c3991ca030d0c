namespace LeNet5.Core.Models;

/// <summary>One layer's output for one image, for drawing.</summary>
public sealed record LayerActivation(string Name, string Kind, int[] Shape, float[] Values);

/// <summary>What the network says about one image.</summary>
public sealed record Prediction(int Digit, float Confidence, float[] Probabilities, float[] Scores, IReadOnlyList<LayerActivation>? Layers)
{
    /// <summary>For RBF models the scores are the distances to the ten prototypes.</summary>
    public bool ScoresAreDistances { get; init; }
}
