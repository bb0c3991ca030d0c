using LeNet5.Core.Layers;
using LeNet5.Core.Models;
using LeNet5.Core.Networks;
using LeNet5.Core.Preparation;

namespace LeNet5.Core.Explanation;

/// <summary>
/// The gradient of the evidence for a digit with respect to the 28x28 pixels, through the network's
/// own backward pass: forward, dE/d(head input) from the head (RBF: evidence -y_T; softmax: logit z_T),
/// the layers' Backward down to dE/d(32x32 input), then the encoding's affine map back to the pixels.
/// One instance owns its buffers and is reused across the steps of a dream or a nudge; not thread-safe.
/// </summary>
public sealed class EvidenceGradient
{
    public const int NoRival = -1;

    private readonly LeNet5Model _model;
    private readonly Workspace _ws;
    private readonly float[] _input = new float[InputEncoding.Size];
    private readonly float[] _dInput = new float[InputEncoding.Size];
    private readonly float[] _dHead;
    private readonly float[] _parameterGradients; // the layers accumulate dE/dp; an explanation has no use for it

    public EvidenceGradient(LeNet5Model model)
    {
        _model = model;
        _ws = model.Network.CreateWorkspace(1);
        _dHead = new float[model.Network.Head.Inputs];
        _parameterGradients = new float[model.Network.ParameterCount];
    }

    /// <summary>The ten class scores of the last <see cref="Compute"/> (RBF distances or logits).</summary>
    public ReadOnlySpan<float> Scores => _ws.Scores.AsSpan(0, OutputHead.Classes);

    /// <summary>The digit the network read in the last <see cref="Compute"/>.</summary>
    public int Digit => _model.Network.Head.Predict(Scores);

    /// <summary>The evidence for <paramref name="digit"/> in the last <see cref="Compute"/>.</summary>
    public float Evidence(int digit) => _model.Network.Head.Evidence(Scores, digit);

    /// <summary>The digit other than <paramref name="digit"/> with the most evidence in the last <see cref="Compute"/>.</summary>
    public int Rival(int digit)
    {
        int best = -1;
        for (int k = 0; k < OutputHead.Classes; k++)
            if (k != digit && (best < 0 || Evidence(k) > Evidence(best))) best = k;
        return best;
    }

    /// <summary>Runs the pixels forward only (for the scores and the digit).</summary>
    public void Forward(ReadOnlySpan<float> pixels28)
    {
        if (pixels28.Length != MnistLayout.Pixels) throw new ArgumentException($"expected {MnistLayout.Pixels} pixels", nameof(pixels28));
        InputEncoding.Encode(pixels28, _input);
        _input.CopyTo(_ws.Input);
        _model.Network.Forward(_ws, _model.Parameters, 1);
    }

    /// <summary>
    /// Writes d(E_target - E_rival)/d pixel into <paramref name="gradient28"/> (just dE_target when
    /// <paramref name="rival"/> is <see cref="NoRival"/>) and returns that evidence (margin) at these pixels.
    /// </summary>
    public float Compute(ReadOnlySpan<float> pixels28, int target, Span<float> gradient28, int rival = NoRival)
    {
        CheckDigit(target);
        if (rival != NoRival) CheckDigit(rival);
        Forward(pixels28);
        var network = _model.Network;
        var head = network.Head;
        var last = _ws.Activation(network.Layers.Count, 1);
        Array.Clear(_dHead);
        head.AddEvidenceGradient(last, target, 1f, _dHead);
        if (rival != NoRival) head.AddEvidenceGradient(last, rival, -1f, _dHead); // the backward pass is linear in dE/dy
        network.BackwardFrom(_ws, _model.Parameters, 1, _dHead, _parameterGradients, _dInput);
        InputEncoding.PixelGradient(_dInput, gradient28);
        return Evidence(target) - (rival == NoRival ? 0 : Evidence(rival));
    }

    private static void CheckDigit(int digit)
    {
        if ((uint)digit >= OutputHead.Classes) throw new ArgumentOutOfRangeException(nameof(digit), $"a digit is 0-9, not {digit}");
    }
}
