using System.Net;
using System.Text.Json;
using LeNet5.Core.Networks;
using LeNet5.Core.Training;
using LeNet5.Web.Features.Training;

namespace LeNet5.Web.Tests.Features.Training;

/// <summary>
/// <c>lenet5 train --arch X</c> with no other flag trains exactly what the admin API trains for a run
/// that names only X: both take the network's recipe.
/// </summary>
public sealed class RecipeParityTests : IDisposable
{
    private readonly AdminApp _app = new();

    public void Dispose() => _app.Dispose();

    public static TheoryData<string, string> Networks()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in Architecture.Names)
            foreach (var output in Architecture.Outputs) data.Add(name, output);
        return data;
    }

    [Fact]
    public async Task TheCliDefaultsOfEveryNetworkAreWhatTheAdminApiStartsARunWith()
    {
        using var factory = _app.Factory();
        var client = AdminApp.Admin(factory);
        var recipes = await ApiAssert.Json.Deserialize<TrainingSettings[]>(client, "/api/training/recipes");
        // each network with each output, and lenet5 with each of its other poolings
        Assert.Equal(Architecture.Names.Count * Architecture.Outputs.Count + (Architecture.Poolings.Count - 1) * Architecture.Outputs.Count, recipes.Length);
        foreach (var output in Architecture.Outputs)
            foreach (var pooling in Architecture.Poolings)
                Assert.Equal(DryRun("--output", output, "--pooling", pooling),
                    Assert.Single(recipes, r => r.Architecture == Architecture.LeNet5 && r.Output == output && r.Pooling == pooling));
        foreach (var (name, output) in Networks().Select(row => ((string)row[0], (string)row[1])))
        {
            var cli = DryRun("--arch", name, "--output", output);
            Assert.Equal(cli, Assert.Single(recipes, r => r.Architecture == name && r.Output == output && r.Pooling == "average"));

            // the settings a run that names only the network is started with
            long id = await AdminApp.StartAsync(client, new { architecture = name, output });
            var run = await ApiAssert.Json.Deserialize<JsonElement>(client, $"/api/training/{id}");
            Assert.Equal(cli, run.GetProperty("settings").Deserialize<TrainingSettings>(ApiAssert.Json));
            Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/training/{id}/cancel", null)).StatusCode);
            await AdminApp.WaitForStatusAsync(client, id, "canceled");
        }
    }

    [Fact]
    public void TheAblationsNeedNoExtraFlag()
    {
        // docs/training.md: lenet5-nopool needs mu = 0.1, both ablations the longer schedule and the
        // smaller curvature sample
        var nopool = DryRun("--arch", Architecture.NoPool);
        Assert.Equal((0.1f, TrainingRecipes.AblationEpochs, TrainingRecipes.AblationSchedule, TrainingRecipes.AblationSdlmSamples), (nopool.Mu, nopool.Epochs, nopool.Schedule, nopool.SdlmSamples));
        var fc = DryRun("--arch", Architecture.NoPoolFc);
        Assert.Equal((TrainingRecipes.AblationEpochs, TrainingRecipes.AblationSchedule, TrainingRecipes.AblationSdlmSamples), (fc.Epochs, fc.Schedule, fc.SdlmSamples));
        Assert.Equal(300, DryRun("--arch", Architecture.NoPoolFc, "--sdlm-samples", "300").SdlmSamples);
        var softmax = DryRun("--output", "softmax");
        Assert.Equal(TrainingRecipes.SoftmaxLearningRateScale, softmax.LearningRateScale);
        // and the paper's network its smaller batch and scale
        var paper = DryRun("--pooling", "subsampling");
        Assert.Equal((TrainingRecipes.SubsamplingBatchSize, TrainingRecipes.SubsamplingLearningRateScale), (paper.BatchSize, paper.LearningRateScale));
    }

    [Fact]
    public async Task WhatARequestGivesWinsOverTheRecipe()
    {
        using var factory = _app.Factory();
        var client = AdminApp.Admin(factory);
        long id = await AdminApp.StartAsync(client, new { architecture = Architecture.NoPoolFc, sdlmSamples = 300, epochs = 1 });
        var run = await ApiAssert.Json.Deserialize<JsonElement>(client, $"/api/training/{id}");
        var settings = run.GetProperty("settings").Deserialize<TrainingSettings>(ApiAssert.Json)!;
        Assert.Equal(DryRun("--arch", Architecture.NoPoolFc, "--sdlm-samples", "300", "--epochs", "1"), settings);
        Assert.Equal((300, 1), (settings.SdlmSamples, settings.Epochs));
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/training/{id}/cancel", null)).StatusCode);
        await AdminApp.WaitForStatusAsync(client, id, "canceled");
    }

    [Fact]
    public void EverySettingGivenOnTheCommandLineIsWhatTheApiReadsFromItsField()
    {
        var recipe = TrainingSettings.RecipeOf(new Architecture(Architecture.LeNet5));
        foreach (var setting in TrainingSettingInfo.All)
        {
            // a valid value unlike the default network's recipe, as a flag's arguments and as a JSON field
            var word = setting.Choices.FirstOrDefault(w => !w.Equals(setting.ValueIn(recipe)));
            (string[] Args, string Json) value = setting.Kind switch
            {
                SettingKind.Choice => ([setting.Flag, word!], $"\"{word}\""),
                SettingKind.Whole => ([setting.Flag, "2"], "2"),
                SettingKind.Real => ([setting.Flag, "0.5"], "0.5"),
                SettingKind.Text => ([setting.Flag, "1:0.001,2:0.0001"], "\"1:0.001,2:0.0001\""),
                SettingKind.Switch => ([setting.Flag, "off"], "false"),
                _ => ([setting.Flag], "true"),
            };
            var (given, _, errors) = TrainingRequest.Parse(System.Text.Encoding.UTF8.GetBytes($"{{\"{setting.Name}\": {value.Json}}}"));
            Assert.True(given is not null, string.Join("; ", errors.Values));
            var (architecture, options, invalid) = given.Resolve(threads: 1);
            Assert.True(invalid.Count == 0, string.Join("; ", invalid.Values));
            var api = TrainingSettings.Of(architecture!, options!);
            Assert.False(recipe == api, $"{setting.Name} {value.Json} changed nothing");
            Assert.Equal(DryRun(value.Args), api);
        }
    }

    private static TrainingSettings DryRun(params string[] args)
    {
        var (exit, output, error) = CliRunner.Run(["train", .. args, "--dry-run"]);
        Assert.True(exit == 0, error);
        return JsonSerializer.Deserialize<TrainingSettings>(output, ApiAssert.Json)!;
    }
}
