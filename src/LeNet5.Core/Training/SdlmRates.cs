using System.Numerics.Tensors;
using LeNet5.Core.Networks;

namespace LeNet5.Core.Training;

/// <summary>
/// The learning rate of every parameter: with SDLM (paper, appendix C) eta_k = epsilon / (mu + h_kk),
/// h_kk the Gauss-Newton diagonal averaged over <see cref="TrainingOptions.SdlmSamples"/> images;
/// without it, the rate SDLM would give a unit second derivative.
/// </summary>
internal sealed class SdlmRates(Network network, TrainingOptions options)
{
    /// <summary>Fan-in above which a layer's rates are divided by fan-in / this.</summary>
    public const int CorrelatedFanIn = 1000;

    public float[] Values { get; } = new float[network.ParameterCount];

    /// <summary>
    /// Re-estimates h_kk on the samples from <paramref name="start"/> of the epoch's order. The paper
    /// re-estimates once a pass; with a step per batch the network changes more between estimates, so
    /// the trainer also re-estimates every <see cref="TrainingOptions.SdlmInterval"/> samples.
    /// </summary>
    public void Estimate(BatchWorkers workers, float[] parameters, int[] order, int start, float epsilon, int epoch)
    {
        int count = Math.Min(options.SdlmSamples, order.Length);
        var h = workers.Curvature(parameters, order, start, count, epoch);
        // h_kk = (1/count) sum of the samples' diagonals;  eta_k = epsilon / (mu + h_kk)
        TensorPrimitives.Multiply(h, 1f / count, h);
        TensorPrimitives.Add(h, options.Mu, Values);
        TensorPrimitives.Divide(epsilon, Values, Values);
        DampWideLayers();
    }

    /// <summary>Without curvature every parameter gets the rate SDLM would give a unit second derivative.</summary>
    public void Uniform(float epsilon)
    {
        Array.Fill(Values, epsilon / (options.Mu + 1f));
        DampWideLayers();
    }

    /// <summary>Mean learning rate per trainable layer.</summary>
    public IReadOnlyDictionary<string, double> LayerMeans()
    {
        var result = new Dictionary<string, double>();
        for (int l = 0; l < network.Layers.Count; l++)
        {
            var (offset, count) = network.ParameterRange(l);
            if (count > 0) result[network.Layers[l].Name] = TensorPrimitives.Sum(Values.AsSpan(offset, count)) / count;
        }
        return result;
    }

    /// <summary>
    /// SDLM's diagonal treats a unit's weights as independent, but all F of them move at once: the
    /// curvature along the update is about F times the diagonal's when the inputs are alike. For
    /// LeNet-5 (F at most 400) that is absorbed by epsilon; the ablations' F6 sees 48,000 inputs and
    /// diverges at any epsilon that trains the rest. So rates of units with F above
    /// <see cref="CorrelatedFanIn"/> are scaled by <see cref="CorrelatedFanIn"/>/F.
    /// <para>
    /// The same holds across units: the paper's trainable subsampling has one coefficient and one
    /// bias per map, each moving all of the map's outputs at once (<see cref="Layers.Layer.CoherentOutputs"/>,
    /// 196 in S2, 25 in S4). Undamped they take steps ~200 times too large, the coefficients reach
    /// 20 within 30 batches and the network stays at chance; their rates are divided by that count.
    /// </para>
    /// </summary>
    private void DampWideLayers()
    {
        for (int l = 0; l < network.Layers.Count; l++)
        {
            var layer = network.Layers[l];
            float damping = 1f / layer.CoherentOutputs;
            if (layer.FanIn > CorrelatedFanIn) damping *= (float)CorrelatedFanIn / layer.FanIn;
            if (damping == 1f) continue;
            var (offset, count) = network.ParameterRange(l);
            TensorPrimitives.Multiply(Values.AsSpan(offset, count), damping, Values.AsSpan(offset, count));
        }
    }
}
