using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace LeNet5.Web.Tests.Support;

/// <summary>Checks shared by the API tests.</summary>
public static class ApiAssert
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The answer is a problem+json with this status and a title; returns the problem.</summary>
    public static async Task<JsonElement> Problem(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        return problem;
    }

    /// <summary>The answer is 200 with a prediction; returns it.</summary>
    public static async Task<PredictAnswer> Prediction(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {text}");
        var answer = JsonSerializer.Deserialize<PredictAnswer>(text, Json)!;
        CheckShape(answer);
        return answer;
    }

    public static async Task<PredictAnswer[]> Predictions(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {text}");
        var answers = JsonSerializer.Deserialize<PredictAnswer[]>(text, Json)!;
        foreach (var a in answers) CheckShape(a);
        return answers;
    }

    public static HttpContent JsonBody(object body) => JsonContent.Create(body, options: Json);

    /// <summary>GETs a path that must answer 200 JSON and reads it.</summary>
    public static async Task<T> Deserialize<T>(this JsonSerializerOptions options, HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<T>(options))!;
    }

    private static void CheckShape(PredictAnswer answer)
    {
        Assert.InRange(answer.Digit, 0, 9);
        Assert.Equal(10, answer.Probabilities.Length);
        Assert.InRange(answer.Probabilities.Sum(), 0.999, 1.001);
        Assert.Equal(answer.Probabilities.Max(), answer.Confidence, 5);
        Assert.False(string.IsNullOrEmpty(answer.Model));
        Assert.True(answer.ElapsedMs >= 0);
    }
}

/// <summary>The prediction answer as a client reads it.</summary>
public sealed record PredictAnswer(int Digit, double Confidence, double[] Probabilities, bool Rejected, string Model, double ElapsedMs)
{
    public double[]? Input { get; init; }
    public LayerAnswer[]? Layers { get; init; }
    public double[]? Distances { get; init; }
    public VoteAnswer[]? Committee { get; init; }
}

public sealed record VoteAnswer(string Model, int Digit, double Confidence);

public sealed record LayerAnswer(string Name, string Kind, int[] Shape, double[] Activations);
