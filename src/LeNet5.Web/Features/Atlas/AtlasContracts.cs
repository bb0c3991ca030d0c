using System.ComponentModel;

namespace LeNet5.Web.Features.Atlas;

/// <summary>A model's map of the 10,000 MNIST test digits: <c>GET /api/models/{id}/atlas</c>.</summary>
public sealed record AtlasResponse(
    [property: Description("The model whose features placed the digits.")] string Model,
    [property: Description("The layer whose outputs are the features (the input of the output head: F6 in the paper's network).")] string Features,
    [property: Description("How the features were brought to 2-D.")] string Projection,
    [property: Description("Every MNIST test digit's place, in index order.")] AtlasPoint[] Points);

/// <summary>One test digit on the map.</summary>
public sealed record AtlasPoint(
    [property: Description("Its index in the MNIST test set (GET /api/mnist/test/{index}).")] int Index,
    [property: Description("Its true label.")] int Label,
    [property: Description("The digit the model answers for it; a mistake when it is not the label.")] int Predicted,
    [property: Description("Its place on the map; the units mean nothing beyond nearness.")] float X,
    [property: Description("Its place on the map.")] float Y);

/// <summary>Where an input lands on its model's atlas (<c>POST /api/predict?details=true</c>).</summary>
public sealed record AtlasPlace(
    [property: Description("x on the map of GET /api/models/{id}/atlas.")] float X,
    [property: Description("y on the same map.")] float Y);
