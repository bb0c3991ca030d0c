using System.Diagnostics;
using System.Runtime.Intrinsics;
using LeNet5.Core.Layers;
using LeNet5.Core.Networks;

namespace LeNet5.Bench;

/// <summary>
/// How much of the machine a training figure uses: the FP32 peak measured here (independent fused
/// multiply-adds on the widest vectors, on every benchmark thread) and the work of one training
/// sample counted from the network's own layers.
/// </summary>
public static class MachinePeak
{
    /// <summary>FLOP per training sample: 6 per multiply-accumulate of the weighted layers (forward, the input gradient, the weight gradient), the usual count.</summary>
    public static double TrainingFlopPerSample(Architecture architecture)
    {
        long macs = 0;
        foreach (var layer in architecture.Build().Layers)
        {
            macs += layer switch
            {
                // a unit of output map o sums its table row's maps through a KxK kernel
                Convolution conv => (long)conv.Output.Height * conv.Output.Width * conv.Table.Sum(row => row.Length) * Convolution.K * Convolution.K,
                FullyConnected full => (long)full.Input.Size * full.Output.Size,
                _ => 0,
            };
        }
        return 6.0 * macs;
    }

    /// <summary>The FP32 peak in GFLOP/s on <paramref name="threads"/> threads, the median of three timed spans.</summary>
    public static double MeasureGflops(int threads, double seconds = 0.3)
    {
        var spans = new List<double>();
        for (int span = 0; span < 3; span++)
        {
            var flops = new double[threads];
            var workers = Enumerable.Range(0, threads).Select(t => new Thread(() => flops[t] = Fma(seconds))).ToArray();
            var clock = Stopwatch.StartNew();
            foreach (var w in workers) w.Start();
            foreach (var w in workers) w.Join();
            spans.Add(flops.Sum() / clock.Elapsed.TotalSeconds / 1e9);
        }
        spans.Sort();
        return spans[1];
    }

    /// <summary>Runs <see cref="Chains"/> in rounds for about <paramref name="seconds"/>; returns the FLOP done.</summary>
    private static double Fma(double seconds)
    {
        const long roundsPerCall = 1_000_000;
        long calls = 0;
        float sink = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            sink += Chains(roundsPerCall);
            calls++;
        }
        if (sink == float.MaxValue) Console.Write(""); // keep the chains alive
        return calls * roundsPerCall * 12.0 * Vector512<float>.Count * 2;
    }

    /// <summary>
    /// Twelve independent multiply-add chains (enough to hide the FMA latency on two ports) for
    /// <paramref name="rounds"/> rounds. A method of its own with no call inside: a loop that calls
    /// anything (the clock) makes the JIT keep vector locals on the stack, and the figure would
    /// measure store-to-load forwarding (less than half the real peak on Zen 5) instead of the FMA units.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining | System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static float Chains(long rounds)
    {
        var x = Vector512.Create(0.999f);
        var y = Vector512.Create(1e-7f);
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector512<float> a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
        for (long i = 0; i < rounds; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, x, y); a1 = Vector512.FusedMultiplyAdd(a1, x, y);
            a2 = Vector512.FusedMultiplyAdd(a2, x, y); a3 = Vector512.FusedMultiplyAdd(a3, x, y);
            a4 = Vector512.FusedMultiplyAdd(a4, x, y); a5 = Vector512.FusedMultiplyAdd(a5, x, y);
            a6 = Vector512.FusedMultiplyAdd(a6, x, y); a7 = Vector512.FusedMultiplyAdd(a7, x, y);
            a8 = Vector512.FusedMultiplyAdd(a8, x, y); a9 = Vector512.FusedMultiplyAdd(a9, x, y);
            a10 = Vector512.FusedMultiplyAdd(a10, x, y); a11 = Vector512.FusedMultiplyAdd(a11, x, y);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
}
