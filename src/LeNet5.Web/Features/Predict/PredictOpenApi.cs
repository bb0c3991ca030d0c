using LeNet5.Imaging;
using Microsoft.OpenApi;

namespace LeNet5.Web.Features.Predict;

/// <summary>The OpenAPI of the endpoints that read images as /api/predict does: their bodies (see <see cref="RequestBodyDocs"/>) and problems.</summary>
internal static class PredictOpenApi
{
    /// <summary>The problems an endpoint that reads an image the way /api/predict does can answer.</summary>
    public static RouteGroupBuilder ProducesInputProblems(this RouteGroupBuilder group) => group
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
        .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
        .ProducesProblem(StatusCodes.Status429TooManyRequests)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    /// <summary>A body of images: JSON of <typeparamref name="TJson"/>, a form with the files in <paramref name="fileField"/>, and raw images when <paramref name="rawImages"/>.</summary>
    public static RouteHandlerBuilder DocumentImageBody<TJson>(this RouteHandlerBuilder builder, string fileField, bool rawImages) =>
        builder.DocumentBody<TJson>(content =>
        {
            content["multipart/form-data"] = new()
            {
                Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Required = new HashSet<string> { fileField },
                    Properties = new Dictionary<string, IOpenApiSchema>
                    {
                        [fileField] = rawImages ? RequestBodyDocs.Binary() : new OpenApiSchema { Type = JsonSchemaType.Array, Items = RequestBodyDocs.Binary() },
                    },
                },
            };
            if (rawImages)
            {
                foreach (var type in ImageFormats.MediaTypes) content[type] = new OpenApiMediaType { Schema = RequestBodyDocs.Binary() };
            }
        });
}
