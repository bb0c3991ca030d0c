using LeNet5.Core.Data;
using LeNet5.Core.Layers;
using LeNet5.Core.Networks;

namespace LeNet5.Core.Atlas;

/// <summary>
/// What the model itself makes of a set of digits: each digit's input to the output head (F6's 84
/// units in the paper's network) and the digit the head answers. The atlas places digits by these
/// features, so digits land near the ones the model sees as alike, not the ones that share pixels.
/// </summary>
public sealed record HeadFeatures(int Count, int Dimensions, float[] Values, int[] Predictions)
{
    public ReadOnlySpan<float> Of(int index) => Values.AsSpan(index * Dimensions, Dimensions);

    /// <summary>Runs every digit of <paramref name="split"/> forward, <paramref name="threads"/> threads at a time.</summary>
    public static HeadFeatures Compute(Network network, float[] parameters, MnistSplit split, int threads)
    {
        threads = Math.Max(1, threads);
        int chunk = network.SamplesPerPass, n = split.Count, dims = network.Head.Inputs;
        var values = new float[n * dims];
        var predictions = new int[n];
        int chunks = (n + chunk - 1) / chunk;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var ws = network.CreateWorkspace(chunk);
            for (int c = t; c < chunks; c += threads)
            {
                int start = c * chunk, count = Math.Min(chunk, n - start);
                for (int i = 0; i < count; i++)
                    InputEncoding.Encode(split.Image(start + i), ws.Input.Slice(i * InputEncoding.Size, InputEncoding.Size));
                network.Forward(ws, parameters, count);
                ws.Activation(network.Layers.Count, count).CopyTo(values.AsSpan(start * dims, count * dims));
                for (int i = 0; i < count; i++)
                    predictions[start + i] = network.Head.Predict(ws.Scores.AsSpan(i * OutputHead.Classes, OutputHead.Classes));
            }
        });
        return new HeadFeatures(n, dims, values, predictions);
    }
}
