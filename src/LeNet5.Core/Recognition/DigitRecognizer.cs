using LeNet5.Core.Models;
using LeNet5.Core.Networks;
using LeNet5.Core.Preparation;

namespace LeNet5.Core.Recognition;

/// <summary>What the network made of one image.</summary>
/// <param name="Pixels">The 28x28 digit it read (0 background, 255 ink), as prepared from the image.</param>
/// <param name="Prediction">The network's answer.</param>
/// <param name="Rejected">True when the policy says the network is not sure it sees a digit.</param>
public sealed record RecognitionResult(float[] Pixels, Prediction Prediction, bool Rejected)
{
    /// <summary>When a committee answered: each member's own answer, in the committee's order; null for one model.</summary>
    public IReadOnlyList<Vote>? Votes { get; init; }
}

/// <summary>One committee member's answer: its digit and its calibrated probability.</summary>
public sealed record Vote(int Digit, float Confidence);

/// <summary>
/// Recognise this image: the one pipeline from an image (or 784 MNIST-like pixels) to the
/// prepared digit, the network's prediction and <c>rejected</c>, for the web API, the CLI and the tests.
/// Thread-safe.
/// </summary>
public sealed class DigitRecognizer(IDigitPreparer preparer, Func<RejectPolicy> policy)
{
    /// <summary>A recognizer whose rejection thresholds never change.</summary>
    public DigitRecognizer(IDigitPreparer preparer, RejectPolicy policy) : this(preparer, () => policy)
    {
    }

    /// <summary>An encoded image, prepared the way MNIST digits were; throws <see cref="DigitPreparationException"/> when it cannot be.</summary>
    public RecognitionResult Recognize(LeNet5Model model, byte[] image, bool includeActivations = false) =>
        Recognize(model, Array.ConvertAll(preparer.Prepare(image), b => (float)b), includeActivations);

    /// <summary>
    /// 784 pixels already MNIST-like (28x28 row-major, 0-255), laid out as they are (the model's own
    /// <see cref="LeNet5Model.Normalisation"/> still applies); a grid with no ink (no value reaching
    /// <see cref="InkMap.MinContrast"/>) is refused as a blank image is.
    /// </summary>
    public RecognitionResult Recognize(LeNet5Model model, float[] pixels28, bool includeActivations = false)
    {
        RefuseBlank(pixels28);
        var (read, prediction) = Read(model, pixels28, includeActivations);
        return new RecognitionResult(read, prediction, policy().IsRejected(prediction, read, model));
    }

    /// <summary>An encoded image answered by a committee (see the pixels overload).</summary>
    public RecognitionResult Recognize(IReadOnlyList<LeNet5Model> committee, byte[] image, bool includeActivations = false) =>
        Recognize(committee, Array.ConvertAll(preparer.Prepare(image), b => (float)b), includeActivations);

    /// <summary>
    /// A committee's answer: every member reads the digit (each after its own normalisation) and the
    /// answer is the mean of their calibrated probabilities, so its confidence is as honest as theirs.
    /// The first member leads: its pixels and layers are the ones shown, and its rejection threshold
    /// judges the committee's confidence. Each member's own answer is in <see cref="RecognitionResult.Votes"/>.
    /// </summary>
    public RecognitionResult Recognize(IReadOnlyList<LeNet5Model> committee, float[] pixels28, bool includeActivations = false)
    {
        if (committee.Count == 0) throw new ArgumentException("a committee needs members", nameof(committee));
        RefuseBlank(pixels28);
        var (leadPixels, lead) = Read(committee[0], pixels28, includeActivations);
        var mean = new float[lead.Probabilities.Length];
        var votes = new Vote[committee.Count];
        for (int m = 0; m < committee.Count; m++)
        {
            var own = m == 0 ? lead : Read(committee[m], pixels28, includeActivations: false).Prediction;
            votes[m] = new Vote(own.Digit, own.Confidence);
            for (int c = 0; c < mean.Length; c++) mean[c] += own.Probabilities[c] / committee.Count;
        }
        int digit = 0;
        for (int c = 1; c < mean.Length; c++)
            if (mean[c] > mean[digit]) digit = c;
        var prediction = lead with { Digit = digit, Confidence = mean[digit], Probabilities = mean };
        return new RecognitionResult(leadPixels, prediction, policy().IsRejected(prediction, leadPixels, committee[0])) { Votes = votes };
    }

    private static void RefuseBlank(float[] pixels28)
    {
        if (pixels28.Length != MnistLayout.Pixels) throw new ArgumentException($"expected {MnistLayout.Pixels} pixels", nameof(pixels28));
        float peak = 0;
        foreach (var v in pixels28) peak = Math.Max(peak, v);
        if (peak < InkMap.MinContrast)
            throw new DigitPreparationException(PreparationFailure.Blank,
                $"The pixels are blank: no value reaches {InkMap.MinContrast} of 255, so there is no ink to read a digit from.");
    }

    /// <summary>What one model reads (the pixels after its own steps: a deskew, a redrawn pen) and what it makes of them.</summary>
    private static (float[] Pixels, Prediction Prediction) Read(LeNet5Model model, float[] pixels28, bool includeActivations)
    {
        var read = model.Normalisation.IsNone ? pixels28 : model.Normalisation.Apply(pixels28);
        Span<float> input = stackalloc float[InputEncoding.Size];
        InputEncoding.Encode(read, input);
        return (read, model.Predict(input, includeActivations));
    }
}
