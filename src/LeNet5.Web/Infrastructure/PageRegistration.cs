using LeNet5.Web.Features.Admin;

namespace LeNet5.Web.Infrastructure;

/// <summary>The Razor pages (the admin folder behind the admin policy) and the static assets they use.</summary>
public static class PageRegistration
{
    public static IServiceCollection AddPages(this IServiceCollection services)
    {
        services.AddRazorPages(options => options.Conventions.AuthorizeFolder("/Admin", AdminAuthentication.Policy));
        return services;
    }

    public static IEndpointRouteBuilder MapPages(this IEndpointRouteBuilder app)
    {
        app.MapStaticAssets();
        app.MapRazorPages().WithStaticAssets();
        return app;
    }
}
