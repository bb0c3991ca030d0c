using LeNet5.Core.Models;
using LeNet5.Core.Networks;
using LeNet5.Core.Training;

namespace LeNet5.Core.Tests;

public sealed class TrainingTests
{
    private static TrainingOptions Quick => new() { Epochs = 2, BatchSize = 64, TrainLimit = 3000, Threads = 2 };

    // softmax's gradients are ten times smaller than the RBF's; it trains at a larger epsilon
    private static TrainingOptions For(OutputKind output) => output == OutputKind.Softmax ? Quick with { LearningRateScale = 10f } : Quick;

    [Theory]
    [InlineData(OutputKind.Rbf)]
    [InlineData(OutputKind.Softmax)]
    public void ShortTrainingOnRealMnistBeatsChanceByFar(OutputKind output)
    {
        using var trainer = new Trainer(new Architecture("lenet5", Output: output), For(output) with { TrainLimit = 6000 }, TestMnist.Load());
        trainer.Run();
        // chance is 90% error; a few thousand images should reach well under 15%
        Assert.True(trainer.History[^1].TestError < 0.15, $"test error {trainer.History[^1].TestError:P2}");
        Assert.True(trainer.History[^1].Loss < trainer.History[0].Loss);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void SameSeedAndThreadsGiveTheSameWeights(bool elastic, bool strokeWidth)
    {
        var options = Quick with { Epochs = 1, TrainLimit = 1000, Augment = true, Elastic = elastic, StrokeWidth = strokeWidth };
        using var a = new Trainer(new Architecture("lenet5"), options, TestMnist.Load());
        using var b = new Trainer(new Architecture("lenet5"), options, TestMnist.Load());
        a.Run();
        b.Run();
        Assert.Equal(a.Parameters, b.Parameters);
    }

    [Fact]
    public void ResumeFromCheckpointMatchesAnUninterruptedRun()
    {
        var options = Quick with { TrainLimit = 1000 };
        using var straight = new Trainer(new Architecture("lenet5"), options, TestMnist.Load());
        straight.Run();

        var path = Path.Combine(Path.GetTempPath(), $"ckpt-{Guid.NewGuid():N}.safetensors");
        try
        {
            using var first = new Trainer(new Architecture("lenet5"), options, TestMnist.Load());
            first.RunEpoch(1);
            Checkpoint.Save(first, path, "test");
            using var resumed = Checkpoint.Resume(path, TestMnist.Load());
            Assert.Equal(1, resumed.CompletedEpochs);
            resumed.Run();
            Assert.Equal(straight.Parameters, resumed.Parameters);
            Assert.Equal(2, resumed.History.Count);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void CancellationStopsBetweenBatches()
    {
        using var cts = new CancellationTokenSource();
        using var trainer = new Trainer(new Architecture("lenet5"), Quick, TestMnist.Load())
        {
            BatchCompleted = _ => cts.Cancel(),
        };
        Assert.Throws<OperationCanceledException>(() => trainer.Run(cts.Token));
        Assert.Equal(0, trainer.CompletedEpochs);
    }

    [Fact]
    public void DivergenceIsReportedNotHidden()
    {
        using var trainer = new Trainer(new Architecture("lenet5", Output: OutputKind.Softmax), Quick with { LearningRateScale = 1000f, Epochs = 1 }, TestMnist.Load());
        var ex = Assert.Throws<TrainingDivergedException>(() => trainer.Run());
        Assert.Contains("learning-rate scale", ex.Message);
    }

    [Fact]
    public void InvalidOptionsNameTheField()
    {
        var errors = (new TrainingOptions { Epochs = 0, Momentum = 1.5f, Schedule = "2:0.1" }).Validate();
        Assert.Contains(errors, e => e.Field == "Epochs");
        Assert.Contains(errors, e => e.Field == "Momentum");
        Assert.Contains(errors, e => e.Field == "Schedule");
    }

    [Fact]
    public void PaperScheduleIsThePapers()
    {
        var s = LearningRateSchedule.Paper;
        Assert.Equal([0.0005f, 0.0005f, 0.0002f, 0.0002f, 0.0002f, 0.0001f, 0.0001f, 0.0001f, 0.00005f, 0.00005f, 0.00005f, 0.00005f, 0.00001f, 0.00001f],
            Enumerable.Range(1, 14).Select(s.At));
    }

    [Fact]
    public void TemperatureScalingChangesNoPrediction()
    {
        using var trainer = new Trainer(new Architecture("lenet5"), Quick with { Epochs = 1 }, TestMnist.Load());
        trainer.Run();
        var model = ModelCard.From(trainer, "test");
        Assert.True(model.Temperature > 0);
        var eval = trainer.LastEvaluation!;
        var p = model.Predict(TestMnist.Load().Test.Image(0));
        Assert.Equal(eval.Predictions[0], p.Digit);
        Assert.Equal(model.TestAccuracy!.Value, eval.Accuracy, 4);
    }

    [Fact]
    public void CorrectionsAreTrainedOnWithTheirWeightAndTheirTestSetIsReportedEveryEpoch()
    {
        var mnist = TestMnist.Load();
        // MNIST test digits stand in for corrections: 200 to train on, the next 100 as their test set
        var correctionsTrain = new Data.MnistSplit(mnist.Test.Images[..(200 * 784)], mnist.Test.Labels[..200]);
        var correctionsTest = new Data.MnistSplit(mnist.Test.Images[(200 * 784)..(300 * 784)], mnist.Test.Labels[200..300]);
        using var trainer = new Trainer(new Architecture("lenet5"), Quick with { Epochs = 1, TrainLimit = 1000 }, mnist, corrections: new CorrectionSamples(correctionsTrain, 3, correctionsTest));
        trainer.Run();
        var epoch = Assert.Single(trainer.History);
        Assert.Equal(100, trainer.LastCorrectionsEvaluation!.Count);
        Assert.Equal(trainer.LastCorrectionsEvaluation.ErrorRate, epoch.CorrectionsTestError);
        var direct = Evaluator.Evaluate(trainer.Network, trainer.Parameters, correctionsTest, 1);
        Assert.Equal(direct.ErrorRate, epoch.CorrectionsTestError);
        // 1,000 MNIST images and the 200 extra ones three times: the epoch saw 1,600 images
        Assert.Equal(1600, Math.Round(epoch.ImagesPerSecond * epoch.Seconds));
        var model = ModelCard.From(trainer, "test");
        Assert.Equal("100", model.Metadata[MetadataKeys.CorrectionsTestCount]);
        Assert.Contains("extraTestError", model.Metadata[MetadataKeys.Epochs]);
    }

    [Fact]
    public void FineTuningStartsFromTheGivenParameters()
    {
        var mnist = TestMnist.Load();
        using var first = new Trainer(new Architecture("lenet5"), Quick with { Epochs = 1 }, mnist);
        first.Run();
        using var tuned = new Trainer(new Architecture("lenet5"), Quick with { Epochs = 1, TrainLimit = 64 }, mnist, (float[])first.Parameters.Clone());
        tuned.Run();
        using var scratch = new Trainer(new Architecture("lenet5"), Quick with { Epochs = 1, TrainLimit = 64 }, mnist);
        scratch.Run();
        // one batch from a trained network leaves it far better than one batch from scratch
        Assert.True(tuned.LastEvaluation!.Accuracy > scratch.LastEvaluation!.Accuracy + 0.3,
            $"fine-tuned {tuned.LastEvaluation.Accuracy}, from scratch {scratch.LastEvaluation.Accuracy}");
        Assert.Throws<ArgumentException>(() => new Trainer(new Architecture("lenet5"), Quick, mnist, new float[10]));
    }
}
