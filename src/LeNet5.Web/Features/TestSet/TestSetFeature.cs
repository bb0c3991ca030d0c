using LeNet5.Web.Features.Training;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LeNet5.Web.Features.TestSet;

/// <summary>
/// The MNIST test digits, one at a time for the drawing page's <c>#test=INDEX</c> links and many at
/// once for thumbnails, and each model's results on them for the test-set page.
/// </summary>
public static class TestSetFeature
{
    // the same MnistSource as training's (one copy of MNIST in memory, from the folder Training:MnistDirectory names)
    public static IServiceCollection AddTestSet(this IServiceCollection services)
    {
        services.TryAddSingleton<MnistSource>();
        services.AddSingleton<TestSetEvaluations>();
        return services;
    }

    public static IEndpointRouteBuilder MapTestSet(this IEndpointRouteBuilder app) => app.MapTestSetEndpoints();
}
