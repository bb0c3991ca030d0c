using LeNet5.Web.Features.Training;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LeNet5.Web.Features.Atlas;

/// <summary>The atlas: each model's map of the MNIST test digits, and a drawing's place on it.</summary>
public static class AtlasFeature
{
    public static IServiceCollection AddAtlas(this IServiceCollection services)
    {
        services.TryAddSingleton<MnistSource>(); // the one copy of MNIST training and the test-set pages read
        services.AddSingleton<AtlasStore>();
        services.AddSingleton<AtlasService>();
        return services;
    }

    public static IEndpointRouteBuilder MapAtlas(this IEndpointRouteBuilder app) => app.MapAtlasEndpoints();
}
