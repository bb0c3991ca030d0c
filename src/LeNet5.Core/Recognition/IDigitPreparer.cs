namespace LeNet5.Core.Recognition;

/// <summary>
/// Turns an encoded image (PNG, JPEG, ...) into the 28x28 MNIST-like digit the network reads.
/// Decoding is not the engine's job: <c>LeNet5.Imaging</c> does it.
/// </summary>
public interface IDigitPreparer
{
    /// <summary>
    /// The 784 pixels, 28x28 row-major, 0 background and 255 ink; throws
    /// <see cref="Preparation.DigitPreparationException"/> when the image cannot be read as a digit.
    /// </summary>
    byte[] Prepare(byte[] encoded);
}
