using LeNet5.Imaging;
using LeNet5.Web.Features.Admin;
using LeNet5.Web.Features.Health;
using LeNet5.Web.Features.Models;
using LeNet5.Web.Features.Predict;
using LeNet5.Web.Features.Training;
using LeNet5.Web.Infrastructure;
using LeNet5.Web.Models;
using LeNet5.Web.Options;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;
using Serilog;

var builder = WebApplication.CreateBuilder(args);

// the page's assets live in the repository's top-level wwwroot/, linked into this project
builder.WebHost.UseStaticWebAssets();

builder.Services.AddSerilog((services, logger) => logger
    .ReadFrom.Configuration(builder.Configuration)
    .ReadFrom.Services(services)
    .Enrich.FromLogContext());

builder.Services.AddOptions<ModelOptions>().BindConfiguration(ModelOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<LimitsOptions>().BindConfiguration(LimitsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<PredictionOptions>().BindConfiguration(PredictionOptions.Section).ValidateDataAnnotations().ValidateOnStart();

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<ModelRegistry>();
builder.Services.AddSingleton(sp =>
{
    var limits = sp.GetRequiredService<IOptions<LimitsOptions>>().Value;
    return new DigitImagePreparer(new ImageLimits(limits.MaxImageWidth, limits.MaxImageHeight, limits.ImageAllocationLimitMegabytes));
});
builder.Services.AddSingleton<PredictRequestReader>();
builder.Services.AddSingleton<PredictionService>();

builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<ApiExceptionHandler>();
builder.Services.AddPerClientRateLimiting();
builder.Services.AddModelHealthChecks();
builder.Services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
{
    document.Info.Title = "LeNet5Web API";
    document.Info.Description = "Recognise handwritten digits with LeNet-5 (1998), written from scratch in C#. " +
                                "Errors are application/problem+json whose title says what to fix.";
    return Task.CompletedTask;
}));
builder.Services.AddAdminAuthentication();
builder.Services.AddTraining();
builder.Services.AddRazorPages(options => options.Conventions.AuthorizeFolder("/Admin", AdminAuthentication.Policy));

var app = builder.Build();

// load the models now, so a bad models folder shows in the start-up log rather than on the first request
var registry = app.Services.GetRequiredService<ModelRegistry>();
app.Logger.LogInformation("{Count} model(s) in {Directory}; active: {Active}", registry.List().Count, registry.DirectoryPath, registry.Active?.Id ?? "none");

_ = app.Services.GetRequiredService<AdminToken>();

app.UseSerilogRequestLogging();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRateLimiter();
app.UseAuthentication();
app.UseAuthorization();

app.MapStaticAssets();
app.MapRazorPages().WithStaticAssets();
app.MapOpenApi();
app.MapScalarApiReference(options => options.WithTitle("LeNet5Web API"));
app.MapPredictEndpoints();
app.MapModelEndpoints();
app.MapHealthEndpoints();
app.MapTrainingEndpoints();
app.MapModelAdminEndpoints();

app.Run();

/// <summary>The entry point, public for WebApplicationFactory in the tests.</summary>
public partial class Program;
