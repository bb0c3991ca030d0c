using System.Security.Cryptography;

namespace LeNet5.Core.Data;

/// <summary>The data could not be obtained or verified; the message says what to do.</summary>
public sealed class MnistFetchException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>One of the four files of the MNIST distribution and its known SHA-256.</summary>
public sealed record MnistFile(string Name, string Sha256)
{
    public static readonly MnistFile TrainImages = new("train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db");
    public static readonly MnistFile TrainLabels = new("train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5");
    public static readonly MnistFile TestImages = new("t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7");
    public static readonly MnistFile TestLabels = new("t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2");
    public static readonly IReadOnlyList<MnistFile> All = [TrainImages, TrainLabels, TestImages, TestLabels];

    /// <summary>Throws <see cref="MnistFetchException"/> unless every file in <paramref name="directory"/> has its known SHA-256.</summary>
    public static void VerifyAll(string directory)
    {
        foreach (var f in All)
        {
            var path = Path.Combine(directory, f.Name);
            if (!File.Exists(path))
                throw new MnistFetchException($"{path} is missing; run `lenet5 fetch-data` to obtain MNIST.");
            using var stream = File.OpenRead(path);
            var hash = Convert.ToHexStringLower(SHA256.HashData(stream));
            if (hash != f.Sha256)
                throw new MnistFetchException(
                    $"{path} has SHA-256 {hash}, expected {f.Sha256}: the file is corrupt or truncated. Delete {directory} and run `lenet5 fetch-data` again.");
        }
    }
}
