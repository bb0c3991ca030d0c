using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace LeNet5.Web.Infrastructure;

/// <summary>
/// Documents in OpenAPI a request body that its endpoint reads by hand. (<c>Accepts</c> metadata
/// would also document it, but routing would then answer 415 itself, without the title that says
/// what to send.)
/// </summary>
public static class RequestBodyDocs
{
    /// <summary>
    /// A required body: JSON of <typeparamref name="TJson"/>'s schema, and whatever other media types
    /// <paramref name="others"/> adds (a form, raw images).
    /// </summary>
    public static RouteHandlerBuilder DocumentBody<TJson>(this RouteHandlerBuilder builder, Action<IDictionary<string, OpenApiMediaType>>? others = null) =>
        builder.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            var content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(TJson), null, cancellationToken) },
            };
            others?.Invoke(content);
            operation.RequestBody = new OpenApiRequestBody { Required = true, Content = content };
        });

    /// <summary>The schema of a file's bytes.</summary>
    public static OpenApiSchema Binary() => new() { Type = JsonSchemaType.String, Format = "binary" };
}
