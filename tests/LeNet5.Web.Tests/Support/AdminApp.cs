using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace LeNet5.Web.Tests.Support;

/// <summary>
/// A temp data folder and a temp copy of the repository's models, kept across app restarts, and the
/// settings that point the app at them (with a known admin token and MNIST from the repository).
/// </summary>
public sealed partial class AdminApp : IDisposable
{
    public const string Token = "test-admin-token-0123456789abcdefghij";

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("lenet5web-data-").FullName;
    public string ModelsDirectory { get; } = Directory.CreateTempSubdirectory("lenet5web-models-").FullName;

    public AdminApp()
    {
        foreach (var file in Directory.EnumerateFiles(RepoPaths.ModelsDirectory, "*.safetensors"))
            File.Copy(file, Path.Combine(ModelsDirectory, Path.GetFileName(file)));
    }

    public Dictionary<string, string?> Settings => new()
    {
        ["Models:Directory"] = ModelsDirectory,
        ["Data:Directory"] = DataDirectory,
        ["Admin:Token"] = Token,
        ["Training:MnistDirectory"] = TestMnist.Directory,
        ["Training:Threads"] = "1",
        ["Training:ProgressIntervalMilliseconds"] = "50",
    };

    /// <summary>An app over this data folder and these models, with any settings changed as given.</summary>
    public LeNet5WebFactory Factory(params (string Key, string Value)[] extra)
    {
        var settings = Settings;
        foreach (var (key, value) in extra) settings[key] = value;
        return LeNet5WebFactory.With(settings);
    }

    /// <summary>The antiforgery token of a page's form (the sign-in page, the admin page's sign-out form).</summary>
    public static string AntiforgeryToken(string html) => AntiforgeryField().Match(html).Groups[1].Value;

    [System.Text.RegularExpressions.GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial System.Text.RegularExpressions.Regex AntiforgeryField();

    /// <summary>A client that sends the admin token.</summary>
    public static HttpClient Admin(LeNet5WebFactory factory)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return client;
    }

    /// <summary>Starts a run and returns its id (asserting 202, Location and the queued status).</summary>
    public static async Task<long> StartAsync(HttpClient client, object settings)
    {
        var response = await client.PostAsync("/api/training", ApiAssert.JsonBody(settings));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"expected 202, got {(int)response.StatusCode}: {text}");
        var body = JsonDocument.Parse(text).RootElement;
        long id = body.GetProperty("id").GetInt64();
        Assert.Equal("queued", body.GetProperty("status").GetString());
        Assert.Equal($"/api/training/{id}", response.Headers.Location?.OriginalString);
        return id;
    }

    public static async Task<RunAnswer> GetRunAsync(HttpClient client, long id) =>
        await ApiAssert.Json.Deserialize<RunAnswer>(client, $"/api/training/{id}");

    /// <summary>
    /// Polls a run until the condition holds. The generous limit only keeps a broken build from
    /// hanging; it is not a speed requirement. Fails with the run's last state.
    /// </summary>
    public static async Task<RunAnswer> WaitForAsync(HttpClient client, long id, Func<RunAnswer, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddMinutes(5);
        RunAnswer run;
        while (!condition(run = await GetRunAsync(client, id)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"run {id} never became {what}; last seen {run.Status} (epoch {run.CompletedEpochs}/{run.Epochs}, error {run.Error})");
            Assert.False(run.Status is "failed" && what != "failed", $"run {id} failed: {run.Error}");
            await Task.Delay(100);
        }
        return run;
    }

    public static Task<RunAnswer> WaitForStatusAsync(HttpClient client, long id, string status) =>
        WaitForAsync(client, id, r => r.Status == status, status);

    public static HttpContent Json(object body) => JsonContent.Create(body, options: ApiAssert.Json);

    public void Dispose()
    {
        foreach (var dir in new[] { DataDirectory, ModelsDirectory })
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
                // a file still held by a closing server: the temp folder is cleaned by the OS
            }
        }
    }
}

/// <summary>A run as the API shows it (the fields the tests read).</summary>
public sealed record RunAnswer(
    long Id, string Status, int Epoch, int Epochs, int CompletedEpochs, double Progress, string? ModelId, double? TestAccuracy, string? Error,
    EpochAnswer[] History, Dictionary<string, double>? LearningRates, double[][]? LossCurve);

public sealed record EpochAnswer(int Epoch, double TrainError, double TestError, double Loss, Dictionary<string, double> LearningRates);
