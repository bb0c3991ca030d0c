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
    /// <summary>The problems an endpoint that reads a picture the way /api/predict does can answer.</summary>
    public static RouteGroupBuilder ProducesInputProblems(this RouteGroupBuilder group) => group
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
        .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
        .ProducesProblem(StatusCodes.Status429TooManyRequests)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

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
