using System.Reflection;

namespace LeNet5.Web.Infrastructure;

/// <summary>
/// Settings sections bound to options classes and checked against their attributes at start-up. A
/// value out of range stops the app with one line per bad setting, naming the key, the value and what
/// is allowed, rather than an exception and its stack trace.
/// </summary>
public static class Settings
{
    /// <summary>Binds <typeparamref name="T"/> to <paramref name="section"/> and validates it when the app starts.</summary>
    public static IServiceCollection AddSettings<T>(this IServiceCollection services, string section) where T : class
    {
        services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<T>>(new SectionValidator<T>(section));
        return services;
    }

    /// <summary>Checks every setting before anything uses one; false, with one line per problem on standard error, when one is bad.</summary>
    public static bool HasValidSettings(this WebApplication app)
    {
        try
        {
            app.Services.GetRequiredService<IStartupValidator>().Validate();
            return true;
        }
        catch (Exception ex) when (ex is OptionsValidationException or AggregateException)
        {
            var failures = ex is AggregateException all ? all.InnerExceptions.OfType<OptionsValidationException>().SelectMany(e => e.Failures) : ((OptionsValidationException)ex).Failures;
            foreach (var failure in failures) Console.Error.WriteLine(failure);
            return false;
        }
    }

    /// <summary>A setting whose value is a secret: a failure names it but never shows it.</summary>
    [AttributeUsage(AttributeTargets.Property)]
    public sealed class SensitiveAttribute : Attribute;

    /// <summary>The data-annotation checks of an options class, each failure said as "Section:Key = value: what is allowed".</summary>
    private sealed class SectionValidator<T>(string section) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var failures = new List<string>();
            foreach (var property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var value = property.GetValue(options);
                foreach (var rule in property.GetCustomAttributes<ValidationAttribute>())
                {
                    if (rule.IsValid(value)) continue;
                    var key = $"{section}:{property.Name}";
                    var shown = property.IsDefined(typeof(SensitiveAttribute)) ? $"({value?.ToString()?.Length ?? 0} characters, not shown)"
                        : value is null ? "(empty)" : $"'{value}'";
                    failures.Add($"Invalid setting {key} = {shown}: {rule.FormatErrorMessage(key)} (environment variable {key.Replace(":", "__", StringComparison.Ordinal)})");
                }
            }
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
