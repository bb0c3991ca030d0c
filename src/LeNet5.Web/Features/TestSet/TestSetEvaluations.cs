using LeNet5.Web.Features.Training;

namespace LeNet5.Web.Features.TestSet;

/// <summary>
/// Each model's results on the MNIST test digits. A loaded model's weights never change, so the
/// evaluation is computed once per model, by <see cref="ModelAnswers"/>: in a turn of the heavy-work
/// cap (the request threads only await it), once however many requests ask while it runs, kept within
/// Models:AnswerCacheMegabytes and dropped with a deleted model.
/// </summary>
public sealed class TestSetEvaluations(MnistSource mnist, ModelCommittee committee, ModelAnswers answers)
{
    /// <summary>The name of the answer among the model's others.</summary>
    public const string AnswerName = "test-set";

    /// <summary>The results as their JSON answer (a <see cref="TestSetResults"/>).</summary>
    public Task<ModelAnswer> GetAsync(ModelEntry entry, CancellationToken cancellationToken) =>
        answers.GetAsync(entry, AnswerName, () => JsonSerializer.SerializeToUtf8Bytes(Evaluate(entry), WebJson.Options), cancellationToken);

    /// <summary>
    /// The engine's own evaluation, the one training reports its test accuracy with; for a committee's
    /// lead, the committee's (what the drawing page answers with when that model is asked). One thread:
    /// a turn of the heavy-work cap is one core, so the cores it leaves answer drawings meanwhile.
    /// </summary>
    public TestSetResults Evaluate(ModelEntry entry)
    {
        var voters = committee.For(entry);
        var evaluation = voters is null
            ? Evaluator.Evaluate(entry.Model, mnist.Load().Test, threads: 1)
            : Evaluator.Evaluate([.. voters.Select(m => m.Model)], mnist.Load().Test, threads: 1);
        return TestSetResults.From(entry.Id, evaluation) with { Committee = voters?.Select(m => m.Id).ToArray() };
    }
}
