using LeNet5.Core.Data;
using LeNet5.Core.Layers;
using LeNet5.Core.Networks;

namespace LeNet5.Core.Training;

/// <summary>Accuracy of parameters on a split: errors, confusion matrix and every sample's class scores.</summary>
public sealed record EvaluationResult(int Count, int Errors, int[,] Confusion, float[] Scores, byte[] Labels, int[] Predictions)
{
    public double Accuracy => Count == 0 ? 0 : 1.0 - (double)Errors / Count;
    public double ErrorRate => Count == 0 ? 0 : (double)Errors / Count;
}

public static class Evaluator
{
    /// <summary>A model's accuracy on a split, each digit given the model's own <see cref="Models.LeNet5Model.Normalisation"/> first.</summary>
    public static EvaluationResult Evaluate(Models.LeNet5Model model, MnistSplit split, int threads, Action<int>? progress = null) =>
        Evaluate(model.Network, model.Parameters, model.Normalisation.Apply(split), threads, progress: progress);

    /// <summary>
    /// A committee's accuracy: each member evaluated as <see cref="Evaluate(Models.LeNet5Model, MnistSplit, int, Action{int}?)"/>,
    /// the answer the mean of their calibrated probabilities (as <see cref="Recognition.DigitRecognizer"/> answers);
    /// the result's scores are those mean probabilities.
    /// </summary>
    public static EvaluationResult Evaluate(IReadOnlyList<Models.LeNet5Model> committee, MnistSplit split, int threads, Action<int>? progress = null)
    {
        if (committee.Count == 1) return Evaluate(committee[0], split, threads, progress);
        int n = split.Count, classes = OutputHead.Classes;
        var mean = new float[n * classes];
        var probabilities = new float[classes];
        for (int m = 0; m < committee.Count; m++)
        {
            var member = committee[m];
            int before = m * n;
            var own = Evaluate(member, split, threads, progress is null ? null : done => progress((before + done) / committee.Count));
            for (int i = 0; i < n; i++)
            {
                member.Network.Head.Probabilities(own.Scores.AsSpan(i * classes, classes), member.Temperature, probabilities);
                for (int c = 0; c < classes; c++) mean[i * classes + c] += probabilities[c] / committee.Count;
            }
        }
        var predictions = new int[n];
        var confusion = new int[classes, classes];
        int errors = 0;
        for (int i = 0; i < n; i++)
        {
            var row = mean.AsSpan(i * classes, classes);
            int best = 0;
            for (int c = 1; c < classes; c++)
                if (row[c] > row[best]) best = c;
            predictions[i] = best;
            confusion[split.Labels[i], best]++;
            if (best != split.Labels[i]) errors++;
        }
        return new EvaluationResult(n, errors, confusion, mean, split.Labels, predictions);
    }

    public static EvaluationResult Evaluate(Network network, float[] parameters, MnistSplit split, int threads, IReadOnlyList<Workspace>? workspaces = null,
        Action<int>? progress = null)
    {
        threads = Math.Max(1, threads);
        var ws = workspaces ?? Enumerable.Range(0, threads).Select(_ => network.CreateWorkspace(network.SamplesPerPass)).ToArray();
        int chunk = Math.Min(network.SamplesPerPass, ws.Min(w => w.MaxBatch));
        int n = split.Count;
        var scores = new float[n * OutputHead.Classes];
        var predictions = new int[n];
        int chunks = (n + chunk - 1) / chunk, done = 0;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var w = ws[t];
            for (int c = t; c < chunks; c += threads)
            {
                int start = c * chunk, count = Math.Min(chunk, n - start);
                for (int i = 0; i < count; i++)
                    InputEncoding.Encode(split.Image(start + i), w.Input.Slice(i * InputEncoding.Size, InputEncoding.Size));
                network.Forward(w, parameters, count);
                w.Scores.AsSpan(0, count * OutputHead.Classes).CopyTo(scores.AsSpan(start * OutputHead.Classes));
                for (int i = 0; i < count; i++)
                    predictions[start + i] = network.Head.Predict(w.Scores.AsSpan(i * OutputHead.Classes, OutputHead.Classes));
                int total = Interlocked.Add(ref done, count);
                progress?.Invoke(total);
            }
        });
        var confusion = new int[OutputHead.Classes, OutputHead.Classes];
        int errors = 0;
        for (int i = 0; i < n; i++)
        {
            confusion[split.Labels[i], predictions[i]]++;
            if (predictions[i] != split.Labels[i]) errors++;
        }
        return new EvaluationResult(n, errors, confusion, scores, split.Labels, predictions);
    }

    /// <summary>
    /// The softmax temperature that minimises the negative log-likelihood of the true labels
    /// (temperature scaling): it changes no prediction, only how sure the probabilities say we are.
    /// </summary>
    public static float FitTemperature(OutputHead head, float[] scores, byte[] labels)
    {
        double Nll(double logT)
        {
            float t = (float)Math.Exp(logT);
            Span<float> p = stackalloc float[OutputHead.Classes];
            double sum = 0;
            for (int i = 0; i < labels.Length; i++)
            {
                head.Probabilities(scores.AsSpan(i * OutputHead.Classes, OutputHead.Classes), t, p);
                sum -= Math.Log(Math.Max(p[labels[i]], 1e-12f));
            }
            return sum / labels.Length;
        }
        // golden-section search on log T in [-4, 6]
        double a = -4, b = 6, g = (Math.Sqrt(5) - 1) / 2;
        double c = b - g * (b - a), d = a + g * (b - a), fc = Nll(c), fd = Nll(d);
        for (int i = 0; i < 60; i++)
        {
            if (fc < fd) { b = d; d = c; fd = fc; c = b - g * (b - a); fc = Nll(c); }
            else { a = c; c = d; fc = fd; d = a + g * (b - a); fd = Nll(d); }
        }
        return (float)Math.Exp((a + b) / 2);
    }
}
