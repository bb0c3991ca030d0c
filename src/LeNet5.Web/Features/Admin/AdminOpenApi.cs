using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace LeNet5.Web.Features.Admin;

/// <summary>
/// Documents the admin credentials: the two security schemes, named by every operation that requires
/// the admin policy (either one will do); every other operation is open and says so with an empty list.
/// </summary>
internal static class AdminOpenApi
{
    public const string TokenScheme = "adminToken";
    public const string CookieScheme = "adminCookie";

    public static IServiceCollection AddAdminOpenApi(this IServiceCollection services) =>
        services.Configure<OpenApiOptions>(ApiDocs.DocumentName, options => options
            .AddDocumentTransformer((document, _, _) =>
            {
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[TokenScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "The admin token (setting Admin:Token, or the one the app makes at start-up and shows once on the console) as " +
                                  "Authorization: Bearer TOKEN. Too many wrong tokens from one client answer 429.",
                };
                document.Components.SecuritySchemes[CookieScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Cookie,
                    Name = AdminAuthentication.CookieName,
                    Description = "The session cookie of an admin signed in at " + AdminAuthentication.LoginPath + ". A request it " +
                                  "authenticates that changes something must also carry the antiforgery token in the RequestVerificationToken header.",
                };
                return Task.CompletedTask;
            })
            .AddOperationTransformer((operation, context, _) =>
            {
                operation.Security = RequiresAdmin(context.Description.ActionDescriptor.EndpointMetadata)
                    ?
                    [
                        new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(TokenScheme, context.Document)] = [] },
                        new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(CookieScheme, context.Document)] = [] },
                    ]
                    : [];
                return Task.CompletedTask;
            }));

    private static bool RequiresAdmin(IList<object> metadata) =>
        metadata.OfType<IAuthorizeData>().Any(a => a.Policy == AdminAuthentication.Policy) &&
        !metadata.OfType<IAllowAnonymous>().Any();
}
