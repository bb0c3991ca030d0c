using LeNet5.Core.Models;
using LeNet5.Core.Networks;
using LeNet5.Core.Preparation;

namespace LeNet5.Core.Recognition;

/// <summary>What the network made of one image.</summary>
/// <param name="Pixels">The 28x28 digit it read (0 background, 255 ink), as prepared from the image.</param>
/// <param name="Prediction">The network's answer.</param>
/// <param name="Rejected">True when the policy says the network is not sure it sees a digit.</param>
public sealed record RecognitionResult(float[] Pixels, Prediction Prediction, bool Rejected);

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
    /// 784 pixels already MNIST-like (28x28 row-major, 0-255), used as they are; a grid with no ink
    /// (no value reaching <see cref="InkMap.MinContrast"/>) is refused as a blank image is.
    /// </summary>
    public RecognitionResult Recognize(LeNet5Model model, float[] pixels28, bool includeActivations = false)
    {
        if (pixels28.Length != MnistLayout.Pixels) throw new ArgumentException($"expected {MnistLayout.Pixels} pixels", nameof(pixels28));
        float peak = 0;
        foreach (var v in pixels28) peak = Math.Max(peak, v);
        if (peak < InkMap.MinContrast)
            throw new DigitPreparationException(PreparationFailure.Blank,
                $"The pixels are blank: no value reaches {InkMap.MinContrast} of 255, so there is no ink to read a digit from.");
        // the model's own steps (a deskew, a redrawn pen) come last: what it then reads is what the answer shows
        if (!model.Normalisation.IsNone) pixels28 = model.Normalisation.Apply(pixels28);
        Span<float> input = stackalloc float[InputEncoding.Size];
        InputEncoding.Encode(pixels28, input);
        var prediction = model.Predict(input, includeActivations);
        return new RecognitionResult(pixels28, prediction, policy().IsRejected(prediction, pixels28, model));
    }
}
