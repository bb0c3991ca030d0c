using LeNet5.Web.Features.Admin;
using LeNet5.Web.Features.Atlas;
using LeNet5.Web.Features.Corrections;
using LeNet5.Web.Features.Explain;
using LeNet5.Web.Features.Health;
using LeNet5.Web.Features.Predict;
using LeNet5.Web.Features.TestSet;
using LeNet5.Web.Features.Training;

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseStaticWebAssets(); // the pages' assets live in the repository's top-level wwwroot/
builder.Services
    .AddStructuredLogging().AddEdge().AddWebJson().AddProblems().AddRateLimits().AddHeavyWork().AddApiDocs()
    .AddAdmin().AddModels().AddPredict().AddExplain().AddCorrections().AddTraining().AddTestSet().AddAtlas().AddHealth()
    .AddWarmup().AddPages();
var app = builder.Build();
if (!app.HasValidSettings()) return 2; // one line per bad setting, no stack trace
app.UseEdge();
app.UseRequestLogging();
app.UseProblems();
app.UseRateLimiter();
app.UseAdmin();
app.MapPages();
app.MapApiDocs();
app.MapModels();
app.MapPredict();
app.MapExplain();
app.MapCorrections();
app.MapTraining();
app.MapTestSet();
app.MapAtlas();
app.MapHealth();
app.Run();
return 0;

public partial class Program; // public for WebApplicationFactory in the tests
