using System.Numerics.Tensors;

namespace LeNet5.Core.Layers;

/// <summary>
/// The last stage of the network: turns the previous layer's outputs into ten class scores, and
/// gives the loss, its gradient and its Gauss-Newton curvature for a labelled sample.
/// </summary>
public abstract class OutputHead(int inputs)
{
    public const int Classes = 10;
    public int Inputs { get; } = inputs;
    public abstract string Kind { get; }

    /// <summary>The class scores of one sample (RBF distances, or logits).</summary>
    public abstract void Scores(ReadOnlySpan<float> x, Span<float> scores);

    /// <summary>The predicted class from the scores.</summary>
    public abstract int Predict(ReadOnlySpan<float> scores);

    /// <summary>Loss for one sample with label <paramref name="label"/>; writes dE/dx.</summary>
    public abstract float Loss(ReadOnlySpan<float> x, ReadOnlySpan<float> scores, int label, Span<float> dx);

    /// <summary>The Gauss-Newton diagonal d2E/dx2 for one sample.</summary>
    public abstract void Curvature(ReadOnlySpan<float> x, ReadOnlySpan<float> scores, int label, Span<float> d2x);

    /// <summary>
    /// The evidence for class <paramref name="target"/>, the number that grows as the network is more sure of it:
    /// minus the RBF distance, or the logit.
    /// </summary>
    public abstract float Evidence(ReadOnlySpan<float> scores, int target);

    /// <summary>Adds <paramref name="weight"/> times d(evidence for <paramref name="target"/>)/dx into <paramref name="dx"/>.</summary>
    public abstract void AddEvidenceGradient(ReadOnlySpan<float> x, int target, float weight, Span<float> dx);

    /// <summary>Class probabilities at temperature <paramref name="temperature"/> (fitted after training).</summary>
    public abstract void Probabilities(ReadOnlySpan<float> scores, float temperature, Span<float> probabilities);

    // the training loss's softmax, unshifted: its overflow to NaN on exploding logits is how the
    // trainer notices divergence (TrainingDivergedException)
    protected static void Softmax(ReadOnlySpan<float> logits, float temperature, Span<float> p)
    {
        TensorPrimitives.Divide(logits, temperature, p);
        TensorPrimitives.SoftMax(p, p);
    }

    /// <summary>
    /// The reported probabilities: softmax(z / T) computed as softmax((z - max z) / T), because
    /// TensorPrimitives.SoftMax does not shift, and distances of hundreds at a small T would overflow into NaN.
    /// </summary>
    protected static void CalibratedSoftmax(ReadOnlySpan<float> logits, float temperature, Span<float> p)
    {
        TensorPrimitives.Subtract(logits, TensorPrimitives.Max(logits), p);
        TensorPrimitives.Divide(p, temperature, p);
        TensorPrimitives.SoftMax(p, p);
    }
}

/// <summary>
/// Euclidean RBF units with fixed +-1 prototypes (paper eq. 7): y_i = sum_j (x_j - w_ij)^2; the class is argmin y.
/// Loss is the MSE criterion (eq. 8) E = y_D, or the MAP criterion (eq. 9) E = y_D + log(e^-j + sum_i e^-y_i),
/// which also pushes the wrong classes' distances up.
/// </summary>
public sealed class RbfHead : OutputHead
{
    private readonly float[] _prototypes;

    public RbfHead(RbfCriterion criterion, float mapConstant = 10f) : base(Bitmaps.Size)
    {
        Criterion = criterion;
        MapConstant = mapConstant;
        _prototypes = Bitmaps.Prototypes();
    }

    public RbfCriterion Criterion { get; }
    /// <summary>The constant j of eq. 9.</summary>
    public float MapConstant { get; }
    public ReadOnlySpan<float> Prototypes => _prototypes;
    public override string Kind => "rbf";

    public override void Scores(ReadOnlySpan<float> x, Span<float> scores)
    {
        Span<float> d = stackalloc float[Inputs];
        for (int i = 0; i < Classes; i++)
            scores[i] = TensorPrimitives.SumOfSquares<float>(Diff(x, i, d));
    }

    private ReadOnlySpan<float> Diff(ReadOnlySpan<float> x, int i, Span<float> d)
    {
        TensorPrimitives.Subtract(x, _prototypes.AsSpan(i * Inputs, Inputs), d);
        return d;
    }

    public override int Predict(ReadOnlySpan<float> scores) => TensorPrimitives.IndexOfMin(scores);

    // evidence = -y_T, d(-y_T)/dx = -2 (x - w_T)
    public override float Evidence(ReadOnlySpan<float> scores, int target) => -scores[target];

    public override void AddEvidenceGradient(ReadOnlySpan<float> x, int target, float weight, Span<float> dx)
    {
        Span<float> d = stackalloc float[Inputs];
        TensorPrimitives.MultiplyAdd(Diff(x, target, d), -2f * weight, dx, dx);
    }

    public override float Loss(ReadOnlySpan<float> x, ReadOnlySpan<float> scores, int label, Span<float> dx)
    {
        Span<float> d = stackalloc float[Inputs];
        // eq. 8: E = y_D, dE/dx = 2 (x - w_D)
        TensorPrimitives.Multiply(Diff(x, label, d), 2f, dx);
        if (Criterion == RbfCriterion.Mse) return scores[label];

        // eq. 9: + log(e^-j + sum_i e^-y_i); dE/dy_i = -q_i, q_i = e^-y_i / (e^-j + sum e^-y)
        float m = -MapConstant;
        for (int i = 0; i < Classes; i++) m = MathF.Max(m, -scores[i]);
        float z = MathF.Exp(-MapConstant - m);
        for (int i = 0; i < Classes; i++) z += MathF.Exp(-scores[i] - m);
        for (int i = 0; i < Classes; i++)
        {
            float q = MathF.Exp(-scores[i] - m) / z;
            if (q < 1e-12f) continue;
            TensorPrimitives.MultiplyAdd(Diff(x, i, d), -2f * q, dx, dx);
        }
        return scores[label] + m + MathF.Log(z);
    }

    // d2E/dx_j^2 = 2 for eq. 8; eq. 9's term is not positive definite and is left out, as the paper does.
    public override void Curvature(ReadOnlySpan<float> x, ReadOnlySpan<float> scores, int label, Span<float> d2x) =>
        d2x[..Inputs].Fill(2f);

    // P(i) proportional to exp(-y_i / T): the distances read as an energy.
    public override void Probabilities(ReadOnlySpan<float> scores, float temperature, Span<float> probabilities)
    {
        Span<float> energy = stackalloc float[Classes];
        TensorPrimitives.Negate(scores, energy);
        CalibratedSoftmax(energy, temperature, probabilities);
    }
}

public enum RbfCriterion
{
    /// <summary>Paper eq. 8.</summary>
    Mse,
    /// <summary>Paper eq. 9.</summary>
    Map,
}

/// <summary>Softmax over the ten outputs of a linear layer, with cross-entropy loss.</summary>
public sealed class SoftmaxHead() : OutputHead(Classes)
{
    public override string Kind => "softmax";

    public override void Scores(ReadOnlySpan<float> x, Span<float> scores) => x[..Classes].CopyTo(scores);

    public override int Predict(ReadOnlySpan<float> scores) => TensorPrimitives.IndexOfMax(scores);

    // evidence = z_T, dz_T/dz = onehot(T)
    public override float Evidence(ReadOnlySpan<float> scores, int target) => scores[target];

    public override void AddEvidenceGradient(ReadOnlySpan<float> x, int target, float weight, Span<float> dx) => dx[target] += weight;

    public override float Loss(ReadOnlySpan<float> x, ReadOnlySpan<float> scores, int label, Span<float> dx)
    {
        // E = -log p_D, dE/dz = p - onehot(D)
        Softmax(scores, 1f, dx);
        float loss = -MathF.Log(MathF.Max(dx[label], 1e-30f));
        dx[label] -= 1f;
        return loss;
    }

    // diagonal of the cross-entropy Hessian in the logits: p (1 - p)
    public override void Curvature(ReadOnlySpan<float> x, ReadOnlySpan<float> scores, int label, Span<float> d2x)
    {
        Softmax(scores, 1f, d2x);
        for (int i = 0; i < Classes; i++) d2x[i] *= 1f - d2x[i];
    }

    public override void Probabilities(ReadOnlySpan<float> scores, float temperature, Span<float> probabilities) =>
        CalibratedSoftmax(scores, temperature, probabilities);
}
