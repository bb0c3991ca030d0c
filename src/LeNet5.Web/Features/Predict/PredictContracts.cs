using System.ComponentModel;
using System.Text.Json.Serialization;
using LeNet5.Web.Features.Atlas;

namespace LeNet5.Web.Features.Predict;

/// <summary>The JSON form of a prediction request: exactly one of <c>image</c> or <c>pixels</c>.</summary>
public sealed record PredictJsonRequest(
    [property: Description("A data URL (what canvas.toDataURL() gives) or plain base64 of a PNG, JPEG, BMP, GIF or WebP image.")]
    string? Image,
    [property: Description("784 numbers, 28x28 row-major, 0 = background, 255 = ink: an MNIST-like digit used as it is.")]
    float[]? Pixels);

/// <summary>The JSON form of a batch: each item a data URL string, or an object like <see cref="PredictJsonRequest"/>.</summary>
public sealed record BatchJsonRequest(
    [property: Description("Data URL strings or {\"image\": ...} / {\"pixels\": [...]} objects, answered in the same order.")]
    IReadOnlyList<PredictJsonRequest> Images);

/// <summary>What the network says about one image.</summary>
public sealed record PredictResponse(
    [property: Description("The most likely digit.")] int Digit,
    [property: Description("Its calibrated probability.")] float Confidence,
    [property: Description("The ten class probabilities, summing to 1.")] float[] Probabilities,
    [property: Description("True when the network is not sure it sees a digit at all.")] bool Rejected,
    [property: Description("The id of the model that answered.")] string Model,
    [property: Description("Time spent preparing the image and running the network, in milliseconds.")] double ElapsedMs)
{
    /// <summary>With details: the 784 pixels (28x28, 0-255) the network saw.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public float[]? Input { get; init; }

    /// <summary>With details: every layer's output, in order.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<LayerResponse>? Layers { get; init; }

    /// <summary>
    /// With details: where the input lands on its model's atlas (GET /api/models/{id}/atlas), once that
    /// atlas is fitted; the first details answer for a model starts fitting it.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AtlasPlace? Atlas { get; init; }

    /// <summary>
    /// When a committee answered (Models:Committee): each member's own digit and calibrated probability,
    /// the lead first; the answer above is the mean of their probabilities.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<CommitteeVote>? Committee { get; init; }

    /// <summary>With details, for RBF models: the distance from F6's output to each class's prototype.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public float[]? Distances { get; init; }
}

/// <summary>One committee member's own answer.</summary>
public sealed record CommitteeVote(
    [property: Description("The member's model id.")] string Model,
    [property: Description("The digit it reads.")] int Digit,
    [property: Description("Its calibrated probability of that digit.")] float Confidence);

/// <summary>One layer's output for one image.</summary>
public sealed record LayerResponse(string Name, string Kind, int[] Shape, float[] Activations);
