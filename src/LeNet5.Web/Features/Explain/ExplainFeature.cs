namespace LeNet5.Web.Features.Explain;

/// <summary>Explaining the network: saliency, nudges and dreams through the engine's own backward pass, over the Predict feature's input.</summary>
public static class ExplainFeature
{
    public static IServiceCollection AddExplain(this IServiceCollection services) => services.AddSingleton<ExplainService>();

    public static IEndpointRouteBuilder MapExplain(this IEndpointRouteBuilder app) => app.MapExplainEndpoints();
}
