using System.Net;
using System.Text.Json;
using LeNet5.Web.Features.Models;
using Microsoft.Extensions.DependencyInjection;
using ModelAnswer = LeNet5.Web.Tests.Features.Training.ModelAnswer;

namespace LeNet5.Web.Tests.Features.Models;

/// <summary>Activating and deleting models through the admin API: the stored active model across restarts (and its fallback when its file is gone), and a delete that fails.</summary>
public sealed class ModelAdminTests : IDisposable
{
    private readonly AdminApp _app = new();

    public void Dispose() => _app.Dispose();

    private LeNet5WebFactory Factory(params (string Key, string Value)[] extra) => _app.Factory(extra);

    [Fact]
    public async Task AStoredActiveModelWhoseFileIsGoneFallsBackToModelsDefault()
    {
        File.Copy(Path.Combine(RepoPaths.ModelsDirectory, "lenet5.safetensors"), Path.Combine(_app.ModelsDirectory, "alpha.safetensors"));
        using (var first = Factory())
        {
            var client = AdminApp.Admin(first);
            var activated = await client.PostAsync("/api/models/alpha/activate", null);
            Assert.Equal(HttpStatusCode.OK, activated.StatusCode);
            Assert.Equal("alpha", JsonDocument.Parse(await activated.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString());
        }
        using (var second = Factory())
        {
            // the stored choice wins over Models:Default while its model exists
            Assert.Equal("alpha", second.Services.GetRequiredService<ModelRegistry>().Active?.Id);
            _ = second.CreateClient();
        }
        File.Delete(Path.Combine(_app.ModelsDirectory, "alpha.safetensors"));
        using var third = Factory();
        _ = third.CreateClient(); // starts the host, which restores the stored active model
        Assert.Equal("lenet5", third.Services.GetRequiredService<ModelRegistry>().Active?.Id);
    }

    [Fact]
    public async Task AModelWhoseFileCannotBeDeletedStaysLoadedAndTheAnswerSaysWhy()
    {
        File.Copy(Path.Combine(RepoPaths.ModelsDirectory, "lenet5.safetensors"), Path.Combine(_app.ModelsDirectory, "alpha.safetensors"));
        using var factory = Factory();
        var client = AdminApp.Admin(factory);
        Assert.Contains(await ApiAssert.Json.Deserialize<ModelAnswer[]>(client, "/api/models"), m => m.Id == "alpha");
        // a non-empty directory where the file was: File.Delete fails, whoever the tests run as
        string path = Path.Combine(_app.ModelsDirectory, "alpha.safetensors");
        File.Delete(path);
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "keep"), "x");

        var problem = await ApiAssert.Problem(await client.DeleteAsync("/api/models/alpha"), HttpStatusCode.InternalServerError);
        Assert.Contains("could not be deleted", problem.GetProperty("title").GetString());
        Assert.Contains(await ApiAssert.Json.Deserialize<ModelAnswer[]>(client, "/api/models"), m => m.Id == "alpha");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/models/alpha")).StatusCode);
    }
}
