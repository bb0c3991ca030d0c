using Scalar.AspNetCore;

namespace LeNet5.Web.Infrastructure;

/// <summary>The OpenAPI document (<c>/openapi/v1.json</c>) and its reference page (<c>/scalar</c>).</summary>
public static class ApiDocs
{
    public const string Title = "LeNet5Web API";

    public static IServiceCollection AddApiDocs(this IServiceCollection services) =>
        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = Title;
            document.Info.Description = "Recognise handwritten digits with LeNet-5 (1998), written from scratch in C#. " +
                                        "Errors are application/problem+json whose title says what to fix.";
            return Task.CompletedTask;
        }));

    public static IEndpointRouteBuilder MapApiDocs(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi();
        app.MapScalarApiReference(options => options.WithTitle(Title));
        return app;
    }
}
