using LeNet5.Web.Features.Admin;
using LeNet5.Web.Features.Explain;
using LeNet5.Web.Features.Health;
using LeNet5.Web.Features.Predict;
using LeNet5.Web.Features.Training;
using LeNet5.Web.Pages;

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseStaticWebAssets(); // the pages' assets live in the repository's top-level wwwroot/

builder.Services
    .AddStructuredLogging()
    .AddWebJson()
    .AddProblems()
    .AddRateLimits()
    .AddApiDocs()
    .AddAdmin()
    .AddModels()
    .AddPredict()
    .AddExplain()
    .AddTraining()
    .AddHealth()
    .AddPages();

var app = builder.Build();

app.UseRequestLogging();
app.UseProblems();
app.UseRateLimiter();
app.UseAdmin();

app.MapPages();
app.MapApiDocs();
app.MapModels();
app.MapPredict();
app.MapExplain();
app.MapTraining();
app.MapHealth();
app.Run();
public partial class Program; // the entry point, public for WebApplicationFactory in the tests
