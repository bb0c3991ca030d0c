using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using LeNet5.Core.Data;

namespace LeNet5.Web.Tests.Features.Corrections;

/// <summary>The corrections review API: admin authentication, accept, relabel, reject and delete, filters, counts, and the export read back with IdxReader.</summary>
public sealed class CorrectionsReviewTests : CorrectionsApiSession
{
    [Theory]
    [InlineData("GET", "/api/corrections")]
    [InlineData("GET", "/api/corrections/1")]
    [InlineData("GET", "/api/corrections/export")]
    [InlineData("POST", "/api/corrections/1/accept")]
    [InlineData("POST", "/api/corrections/1/relabel")]
    [InlineData("POST", "/api/corrections/1/reject")]
    [InlineData("DELETE", "/api/corrections/1")]
    public async Task ReviewingIsForTheAdminOnly(string method, string path)
    {
        long id = await ContributeAsync(new { label = 1, pixels = Digit(4) });
        Assert.Equal(1, id);
        var anonymous = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "GET" ? null : ApiAssert.JsonBody(new { label = 2 }) };
        await ApiAssert.Problem(await Public.SendAsync(anonymous), HttpStatusCode.Unauthorized);
        var wrong = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "GET" ? null : ApiAssert.JsonBody(new { label = 2 }) };
        wrong.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "not-the-token");
        await ApiAssert.Problem(await Public.SendAsync(wrong), HttpStatusCode.Unauthorized);
        var kept = await JsonAsync(Admin, "/api/corrections/1");
        Assert.Equal(("pending", 1), (kept.GetProperty("status").GetString(), kept.GetProperty("label").GetInt32()));
    }

    [Fact]
    public async Task AReviewerAcceptsRelabelsRejectsAndRemovesAndTheFiltersAndCountsFollow()
    {
        long a = await ContributeAsync(new { label = 7, pixels = Digit(0) });
        long b = await ContributeAsync(new { label = 2, pixels = Digit(1) });
        long c = await ContributeAsync(new { label = 5, pixels = Digit(2) });
        long d = await ContributeAsync(new { label = 5, pixels = Digit(3) });

        Assert.Equal("accepted", (await PostJsonAsync($"/api/corrections/{a}/accept", null)).GetProperty("status").GetString());
        var relabeled = await PostJsonAsync($"/api/corrections/{b}/relabel", new { label = 9 });
        Assert.Equal((9, "accepted"), (relabeled.GetProperty("label").GetInt32(), relabeled.GetProperty("status").GetString()));
        Assert.Equal("rejected", (await PostJsonAsync($"/api/corrections/{c}/reject", null)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await Admin.DeleteAsync($"/api/corrections/{d}")).StatusCode);
        await ApiAssert.Problem(await Admin.GetAsync($"/api/corrections/{d}"), HttpStatusCode.NotFound);

        var all = await JsonAsync(Admin, "/api/corrections");
        Assert.Equal(3, all.GetProperty("total").GetInt32());
        Assert.Equal([c, b, a], all.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64())); // newest first
        var counts = all.GetProperty("counts").EnumerateArray().ToDictionary(x => x.GetProperty("label").GetInt32());
        Assert.Equal(10, counts.Count);
        Assert.Equal(1, counts[7].GetProperty("accepted").GetInt32());
        Assert.Equal(1, counts[9].GetProperty("accepted").GetInt32());
        Assert.Equal(1, counts[5].GetProperty("rejected").GetInt32());
        Assert.Equal(0, counts[2].GetProperty("pending").GetInt32() + counts[2].GetProperty("accepted").GetInt32());

        async Task<long[]> Ids(string query) =>
            [.. (await JsonAsync(Admin, "/api/corrections?" + query)).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64())];
        Assert.Equal([b, a], await Ids("status=accepted"));
        Assert.Equal([c], await Ids("status=rejected"));
        Assert.Equal([b], await Ids("label=9"));
        Assert.Equal([b], await Ids("label=9&status=accepted"));
        Assert.Empty(await Ids("label=9&status=pending"));
        Assert.Equal([c, b, a], await Ids("model=lenet5"));
        Assert.Empty(await Ids("model=other"));
        var predictedOfA = (await JsonAsync(Admin, $"/api/corrections/{a}")).GetProperty("predicted").GetInt32();
        Assert.Contains(a, await Ids($"predicted={predictedOfA}"));
        Assert.Equal([c], await Ids("limit=1"));
        Assert.Equal([b], await Ids($"limit=1&before={c}"));
        var page = await JsonAsync(Admin, "/api/corrections?limit=2");
        Assert.Equal(b, page.GetProperty("next").GetInt64());

        await ApiAssert.Problem(await Admin.GetAsync("/api/corrections?status=maybe"), HttpStatusCode.BadRequest);
        await ApiAssert.Problem(await Admin.GetAsync("/api/corrections?label=11"), HttpStatusCode.BadRequest);
        await ApiAssert.Problem(await Admin.PostAsync($"/api/corrections/{a}/relabel", ApiAssert.JsonBody(new { label = 10 })), HttpStatusCode.BadRequest);
        await ApiAssert.Problem(await Admin.PostAsync($"/api/corrections/{a}/relabel", ApiAssert.JsonBody(new { digit = 1 })), HttpStatusCode.BadRequest);
        await ApiAssert.Problem(await Admin.PostAsync("/api/corrections/999/accept", null), HttpStatusCode.NotFound);
        await ApiAssert.Problem(await Admin.PostAsync("/api/corrections/999/reject", null), HttpStatusCode.NotFound);
        await ApiAssert.Problem(await Admin.PostAsync("/api/corrections/999/relabel", ApiAssert.JsonBody(new { label = 1 })), HttpStatusCode.NotFound);
        await ApiAssert.Problem(await Admin.DeleteAsync("/api/corrections/999"), HttpStatusCode.NotFound);
    }

    private async Task<JsonElement> PostJsonAsync(string path, object? body)
    {
        var response = await Admin.PostAsync(path, body is null ? null : ApiAssert.JsonBody(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"POST {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Fact]
    public async Task TheExportOfTheAcceptedSetReadsBackWithTheProjectsIdxReader()
    {
        await ApiAssert.Problem(await Admin.GetAsync("/api/corrections/export"), HttpStatusCode.Conflict);
        var ids = new List<long>();
        for (int i = 0; i < 6; i++) ids.Add(await ContributeAsync(new { label = LabelOf(10 + i), pixels = Digit(10 + i) }));
        foreach (var id in ids.Take(5)) await PostJsonAsync($"/api/corrections/{id}/accept", null);
        await PostJsonAsync($"/api/corrections/{ids[1]}/relabel", new { label = 0 });
        await PostJsonAsync($"/api/corrections/{ids[4]}/reject", null); // rejected and pending drawings stay out

        var response = await Admin.GetAsync("/api/corrections/export");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("corrections.zip", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));
        byte[] Read(string name)
        {
            using var stream = zip.GetEntry(name)!.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }
        var images = IdxReader.ReadImages(Read("corrections-images-idx3-ubyte"));
        var labels = IdxReader.ReadLabels(Read("corrections-labels-idx1-ubyte"));
        Assert.Equal((4, 28, 28), (images.Count, images.Rows, images.Cols));
        Assert.Equal(new[] { LabelOf(10), 0, LabelOf(12), LabelOf(13) }, labels.Select(l => (int)l));
        for (int i = 0; i < 4; i++)
            Assert.Equal(Digit(10 + i), images.Pixels.AsSpan(i * 784, 784).ToArray().Select(b => (int)b));
        var manifest = Encoding.UTF8.GetString(Read("manifest.csv")).TrimEnd('\n').Split('\n');
        Assert.Equal("index,id,label,split,predicted,model,created_at,reviewed_at", manifest[0]);
        Assert.Equal(5, manifest.Length);
        var second = manifest[2].Split(',');
        Assert.Equal(("1", ids[1].ToString(System.Globalization.CultureInfo.InvariantCulture), "0", "lenet5"), (second[0], second[1], second[2], second[5]));
        Assert.All(manifest.Skip(1), line => Assert.Contains(line.Split(',')[3], new[] { "train", "test" }));
    }
}
