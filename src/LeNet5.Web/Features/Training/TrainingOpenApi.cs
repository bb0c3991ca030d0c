using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace LeNet5.Web.Features.Training;

/// <summary>
/// The OpenAPI descriptions of <see cref="TrainingSettings"/>' fields (the body of <c>POST /api/training</c>
/// and every run's settings), from each field's row of <see cref="TrainingSettingInfo.All"/>.
/// </summary>
public static class TrainingOpenApi
{
    public static IServiceCollection AddTrainingSettingDocs(this IServiceCollection services) =>
        services.ConfigureAll<OpenApiOptions>(options => options.AddSchemaTransformer((schema, context, _) =>
        {
            if (context.JsonTypeInfo.Type == typeof(TrainingSettings) && schema.Properties is { } fields)
            {
                foreach (var (name, field) in fields)
                {
                    if (field is OpenApiSchema described && TrainingSettingInfo.Find(name) is { } setting) described.Description = Describe(setting);
                }
            }
            return Task.CompletedTask;
        }));

    /// <summary>What the setting does, what it accepts, and what leaving it out means.</summary>
    public static string Describe(TrainingSettingInfo setting)
    {
        var accepts = setting switch
        {
            { Kind: SettingKind.Choice } => $" One of {string.Join(", ", setting.Choices)}.",
            { Between: var (min, max) } => $" From {setting.Format(min)} to {setting.Format(max)}.",
            { Positive: true } => " Above 0.",
            _ => "",
        };
        var description = setting.Description.EndsWith('.') ? setting.Description : setting.Description + ".";
        return $"{char.ToUpperInvariant(description[0])}{description[1..]}{accepts} Left out: the network's recipe.";
    }
}
