using LeNet5.Core.Networks;
using LeNet5.Core.Training;

namespace LeNet5.Core.Tests;

/// <summary>Settings as people give them: the network's recipe fills every gap, what they give wins, and what is wrong is named.</summary>
public sealed class TrainingSettingsTests
{
    [Fact]
    public void NothingGivenIsLenet5sRecipe()
    {
        var (architecture, options, errors) = new TrainingSettings().Resolve(threads: 3);
        Assert.Empty(errors);
        Assert.Equal(new Architecture(Architecture.LeNet5), architecture);
        Assert.Equal(TrainingRecipes.For(architecture!) with { Threads = 3 }, options);
        Assert.Equal((20, 64, 0.9f, 0.3f, LearningRateSchedule.PaperText), (options!.Epochs, options.BatchSize, options.Momentum, options.LearningRateScale, options.Schedule));
    }

    [Fact]
    public void EachNetworkGetsItsOwnRecipeAndWhatIsGivenWins()
    {
        var (_, nopool, _) = new TrainingSettings { Architecture = Architecture.NoPool }.Resolve(1);
        Assert.Equal((0.1f, TrainingRecipes.AblationEpochs, TrainingRecipes.AblationSchedule, TrainingRecipes.AblationSdlmSamples), (nopool!.Mu, nopool.Epochs, nopool.Schedule, nopool.SdlmSamples));
        var (_, softmax, _) = new TrainingSettings { Output = "softmax" }.Resolve(1);
        Assert.Equal((TrainingRecipes.SoftmaxLearningRateScale, 500), (softmax!.LearningRateScale, softmax.SdlmSamples));
        var (_, given, _) = new TrainingSettings { Architecture = Architecture.NoPool, Mu = 0.05f, Epochs = 2, SdlmSamples = 300 }.Resolve(1);
        Assert.Equal((0.05f, 2, 300), (given!.Mu, given.Epochs, given.SdlmSamples));
    }

    [Fact]
    public void DistortionsAreOffUnlessAskedAndEachIsItsOwn()
    {
        var (_, plain, _) = new TrainingSettings().Resolve(1);
        Assert.Equal((false, false, false), (plain!.Augment, plain.Elastic, plain.StrokeWidth));
        var (_, asked, _) = new TrainingSettings { Elastic = true, StrokeWidth = true }.Resolve(1);
        Assert.Equal((false, true, true), (asked!.Augment, asked.Elastic, asked.StrokeWidth));
        var settings = TrainingSettings.Of(new Architecture(Architecture.LeNet5), asked);
        Assert.Equal((false, true, true), (settings.Augment, settings.Elastic, settings.StrokeWidth));
    }

    [Fact]
    public void InvalidSettingsAreNamedAsTheApiSpellsThem()
    {
        var (architecture, options, errors) = new TrainingSettings
        {
            Architecture = "lenet6", Pooling = "median", BatchSize = TrainingLimits.MaxBatchSize + 1, Momentum = 1f, SdlmSamples = 0, Schedule = "2:0.1",
        }.Resolve(1);
        Assert.Null(architecture);
        Assert.Null(options);
        Assert.Equal(["architecture", "batchSize", "momentum", "pooling", "schedule", "sdlmSamples"], errors.Keys.Order());
        Assert.Contains("lenet5-nopool", errors["architecture"]);
        Assert.Contains("average", errors["pooling"]);
    }

    [Fact]
    public void CompleteSettingsResolveToWhatTheyDescribe()
    {
        foreach (var recipe in TrainingSettings.Recipes())
        {
            var (architecture, options, errors) = recipe.Resolve(2);
            Assert.Empty(errors);
            Assert.Equal(recipe, TrainingSettings.Of(architecture!, options!));
        }
        // every network with every output, and lenet5 with each of its other poolings
        Assert.Equal((Architecture.Names.Count + Architecture.Poolings.Count - 1) * Architecture.Outputs.Count, TrainingSettings.Recipes().Count);
    }

    [Fact]
    public void EveryPropertyOfTheSettingsIsOneRowOfTheTable()
    {
        var properties = typeof(TrainingSettings).GetProperties().Select(p => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(p.Name)).Order();
        Assert.Equal(properties, TrainingSettingInfo.All.Select(s => s.Name).Order());
        Assert.Equal(TrainingSettingInfo.All.Count, TrainingSettingInfo.All.Select(s => s.Flag).Distinct().Count());
    }

    [Fact]
    public void EachSettingGivenReachesTheEngineAndComesBack()
    {
        var recipe = TrainingRecipes.For(new Architecture(Architecture.LeNet5));
        foreach (var setting in TrainingSettingInfo.Options)
        {
            object value = Unlike(setting, setting.ValueIn(recipe));
            var (_, options, errors) = setting.With(new TrainingSettings(), value).Resolve(1);
            Assert.True(errors.Count == 0, $"{setting.Name} = {value}: {string.Join("; ", errors.Values)}");
            Assert.Equal(value, setting.ValueIn(options!));
            // it comes back in the complete settings, and nothing else moved
            Assert.Equal(setting.With(TrainingSettings.RecipeOf(new Architecture(Architecture.LeNet5)), value), TrainingSettings.Of(new Architecture(Architecture.LeNet5), options!));
        }
    }

    [Fact]
    public void EachRangeIsCheckedWithTheTablesMessage()
    {
        foreach (var setting in TrainingSettingInfo.Options.Where(s => s.Between is not null || s.Positive))
        {
            object outside = setting.Between is var (min, _) ? (setting.Kind == SettingKind.Real ? (object)((float)min - 1) : (int)min - 1) : -1f;
            var (_, options, errors) = setting.With(new TrainingSettings(), outside).Resolve(1);
            Assert.Null(options);
            Assert.Equal(setting.Check(outside), Assert.Single(errors, e => e.Key == setting.Name).Value);
        }
        Assert.Equal($"momentum must be between 0 and {TrainingLimits.MaxMomentum}", TrainingSettingInfo.Find("momentum")!.Check(1f));
        Assert.Equal("mu must be positive", TrainingSettingInfo.Find("mu")!.Check(float.PositiveInfinity));
        Assert.Null(TrainingSettingInfo.Find("momentum")!.Check(TrainingLimits.MaxMomentum));
    }

    /// <summary>A valid value of the setting other than <paramref name="recipe"/>'s.</summary>
    private static object Unlike(TrainingSettingInfo setting, object? recipe) => setting.Kind switch
    {
        SettingKind.Whole => setting.Between is var (min, _) ? (int)min + 1 : 7,
        SettingKind.Real => setting.Between is var (low, high) ? (float)((low + high) / 2) : 0.7f,
        SettingKind.Text => "1:0.001,2:0.0001",
        _ => recipe is not true,
    };
}
