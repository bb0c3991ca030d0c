using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace LeNet5.Web.Infrastructure;

/// <summary>The OpenAPI document (<c>/openapi/v1.json</c>) and its reference page (<c>/scalar</c>).</summary>
public static class ApiDocs
{
    public const string Title = "LeNet5Web API";

    /// <summary>The document's name, in its address; a feature adds transformers to the options of this name.</summary>
    public const string DocumentName = "v1";

    /// <summary>What each tag (each feature's <c>WithTags</c>) groups.</summary>
    private static readonly Dictionary<string, string> TagDescriptions = new(StringComparer.Ordinal)
    {
        ["Predict"] = "Read a handwritten digit, or a batch of them, from an image or from 784 pixels.",
        ["Explain"] = "Why the network read what it read: saliency maps, the nudge that makes it read another digit, and its dreams of each digit.",
        ["Models"] = "The trained networks: list them, read their weights, download them; an admin activates and deletes them.",
        ["Corrections"] = "Drawings visitors say were read wrong; an admin reviews, relabels and exports them.",
        ["TestSet"] = "The MNIST test digits, one by index with its true label and pixels (as the drawing page's #test= links open them) or many pixels at once, and each model's results on them: accuracy per digit, the confusion matrix and the digits in each of its cells.",
        ["Training"] = "Training runs (admin only): start one, follow it live, cancel or resume it, and read its results.",
    };

    public static IServiceCollection AddApiDocs(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = Title;
            document.Info.Description = "Recognise handwritten digits with LeNet-5 (1998), written from scratch in C#. " +
                                        "Errors are application/problem+json whose title says what to fix.";
            document.Info.License = new OpenApiLicense { Name = "MIT", Url = new Uri("https://opensource.org/license/mit") };
            // the server is the request's own address; without a trailing slash, or every path would start with two
            foreach (var server in document.Servers ?? []) server.Url = server.Url?.TrimEnd('/');
            foreach (var tag in document.Tags ?? new HashSet<OpenApiTag>())
            {
                if (tag.Name is { } name && TagDescriptions.TryGetValue(name, out var description)) tag.Description = description;
            }
            return Task.CompletedTask;
        }));

    public static IEndpointRouteBuilder MapApiDocs(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi();
        app.MapScalarApiReference(options => options.WithTitle(Title));
        return app;
    }
}
