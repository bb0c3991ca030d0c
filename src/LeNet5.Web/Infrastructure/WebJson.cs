using System.Text.Json.Serialization;

namespace LeNet5.Web.Infrastructure;

/// <summary>How the web app writes JSON, in API answers and in event streams alike: camelCase, enums as their camelCase names.</summary>
public static class WebJson
{
    /// <summary>The Content-Type of JSON answers written ahead of time (kept as bytes).</summary>
    public const string MediaType = "application/json; charset=utf-8";

    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        return options;
    }

    public static IServiceCollection AddWebJson(this IServiceCollection services) =>
        services.ConfigureHttpJsonOptions(o => Configure(o.SerializerOptions));
}
