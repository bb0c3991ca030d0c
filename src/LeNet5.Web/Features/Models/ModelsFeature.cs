namespace LeNet5.Web.Features.Models;

/// <summary>The models: the registry that loads them and owns the active one, its synchronisation between replicas, and their API.</summary>
public static class ModelsFeature
{
    public static IServiceCollection AddModels(this IServiceCollection services) => services
        .AddCluster()
        .AddSettings<ModelOptions>(ModelOptions.Section)
        .AddSingleton<ActiveModelStore>()
        .AddSingleton<ModelRegistry>()
        .AddSingleton<ModelCommittee>()
        .AddSingleton<ModelAnswers>()
        .AddHostedService<ModelSync>();

    public static IEndpointRouteBuilder MapModels(this IEndpointRouteBuilder app)
    {
        // load the models now, so a bad models folder shows in the start-up log rather than on the first request
        _ = app.ServiceProvider.GetRequiredService<ModelRegistry>();
        var missing = app.ServiceProvider.GetRequiredService<ModelCommittee>().Missing();
        if (missing.Count > 0)
            app.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ModelsFeature))
                .LogWarning("Models:Committee names {Missing}, not loaded: the committee votes without them", missing);
        return app.MapModelEndpoints();
    }
}
