namespace LeNet5.Web.Features.Corrections;

/// <summary>The corrections loop: drawings people mark wrong, their review, their export, and the corrections training takes.</summary>
public static class CorrectionsFeature
{
    public static IServiceCollection AddCorrections(this IServiceCollection services)
    {
        services.AddDatabase();
        services.AddSettings<CorrectionsOptions>(CorrectionsOptions.Section);
        services.AddSingleton<CorrectionStore>();
        services.AddSingleton<CorrectionRequestReader>();
        services.AddSingleton<CorrectionService>();
        services.AddSingleton<AcceptedCorrections>();
        return services;
    }

    public static IEndpointRouteBuilder MapCorrections(this IEndpointRouteBuilder app) => app.MapCorrectionsEndpoints();
}
