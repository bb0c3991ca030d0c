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
}
