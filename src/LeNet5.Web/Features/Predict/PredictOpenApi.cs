using LeNet5.Imaging;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace LeNet5.Web.Features.Predict;

/// <summary>
/// Documents the request bodies the predict endpoints read by hand. (<c>Accepts</c> metadata would
/// also document them, but it makes routing answer 415 itself, without the title that says what to send.)
/// </summary>
internal static class PredictOpenApi
{
    public static RouteHandlerBuilder DocumentRequestBody<TJson>(this RouteHandlerBuilder builder, string fileField, bool rawImages) =>
        builder.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            var content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(TJson), null, cancellationToken) },
                ["multipart/form-data"] = new()
                {
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Required = new HashSet<string> { fileField },
                        Properties = new Dictionary<string, IOpenApiSchema>
                        {
                            [fileField] = rawImages ? Binary() : new OpenApiSchema { Type = JsonSchemaType.Array, Items = Binary() },
                        },
                    },
                },
            };
            if (rawImages)
            {
                foreach (var type in PictureFormats.MediaTypes) content[type] = new OpenApiMediaType { Schema = Binary() };
            }
            operation.RequestBody = new OpenApiRequestBody { Required = true, Content = content };
        });

    private static OpenApiSchema Binary() => new() { Type = JsonSchemaType.String, Format = "binary" };
}
