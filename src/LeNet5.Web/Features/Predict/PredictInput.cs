namespace LeNet5.Web.Features.Predict;

/// <summary>One image to predict, as it arrived.</summary>
public abstract record PredictInput;

/// <summary>An encoded image (PNG, JPEG, BMP, GIF or WebP) to prepare.</summary>
public sealed record EncodedImageInput(byte[] Bytes) : PredictInput;

/// <summary>784 pixels already MNIST-like (28x28, 0 background, 255 ink).</summary>
public sealed record PixelsInput(float[] Pixels) : PredictInput;
