using LeNet5.Core.Preparation;

namespace LeNet5.Imaging;

/// <summary>A picture made MNIST-like: 28x28 bytes, 0 background, 255 ink, centred by centre of mass.</summary>
/// <param name="Pixels">The 784 pixels, row-major.</param>
/// <param name="Format">The picture's format as decoded (png, jpeg, bmp, gif, webp).</param>
/// <param name="Width">The picture's width.</param>
/// <param name="Height">The picture's height.</param>
/// <param name="Ink">Where the ink was in the picture.</param>
public sealed record PreparedDigit(byte[] Pixels, string Format, int Width, int Height, InkBox Ink);
