namespace LeNet5.Core.Tests.Kernels;

/// <summary>The row blocks of <see cref="ConvolutionBlocksGenerator"/>: the maps they run over, their heads, and the table of which source half-vector meets which (accumulator, weight row) pair at each stride.</summary>
internal static partial class ConvolutionBlocksGenerator
{
    /// <summary>A map of a correlate row block: accumulator, weight register, kernel ref, destination, kernel-start list.</summary>
    private sealed record CorrelateMap(string Acc, string Weight, string Kernel, string Dst, string Starts);

    /// <summary>A map of a gradient row block: gradient register, gradient ref, sum chains, accumulators.</summary>
    private sealed record GradientMap(string Grad, string Ptr, string[] Chains, string Acc);

    private static readonly CorrelateMap[] Single = [new("a", "w", "k", "dst", "kernelStarts")];
    private static readonly CorrelateMap[] Pair = [new("a", "w", "ka", "dstA", "kernelsA"), new("b", "u", "kb", "dstB", "kernelsB")];
    private static readonly GradientMap[] SingleGradient = [new("g", "g", ["e", "o"], "acc")];
    private static readonly GradientMap[] PairGradient = [new("g", "gA", ["e"], "accA"), new("h", "gB", ["f"], "accB")];

    private static void SummaryAndAttributes(Writer w, string[] summary)
    {
        w.Line("    /// <summary>");
        foreach (var line in summary) w.Line($"    /// {line}");
        w.Line("    /// </summary>");
        w.Line(Optimised);
    }

    /// <summary>
    /// The multiply-adds of one kernel column at a row stride of H half-vectors: source half-vector
    /// h = 2m + H r meets output (or output gradient) vector m at tap row r, so each is loaded once
    /// and feeds <paramref name="fma"/>(m, r) for every (m, r) it serves.
    /// </summary>
    private static void RowBody(Writer w, int H, string indent, string source, Func<int, int, string> fma, int widest)
    {
        for (int h = 0; h <= 2 * (widest - 1) + (K - 1) * H; h++)
        {
            var served = new List<(int M, int R)>();
            for (int r = 0; r < K; r++)
            {
                int offset = h - H * r;
                if (offset % 2 == 0 && offset >= 0 && offset / 2 < widest) served.Add((offset / 2, r));
            }
            if (served.Count == 0) continue;
            w.Line($"{indent}if (N > {served.Min(s => s.M)}) {{ var v = Vector512.LoadUnsafe(ref {source}, {8 * h}); "
                + string.Join(" ", served.Select(s => $"if (N > {s.M}) {fma(s.M, s.R)}")) + " }");
        }
    }

    /// <summary>Several maps' statements for one (m, r) go in braces, so that each `if` guards them all.</summary>
    private static string Braced(int maps, string statements) => maps == 1 ? statements : $"{{ {statements} }}";

    /// <summary>
    /// A row block's opening: its doc and signature, and the TWidth.Vectors registers of each map loaded
    /// from where it points (register name, pointer name), the register block all its sums run over.
    /// </summary>
    private static void RowBlockHead(Writer w, string[] summary, string name, string parameters, int widest, (string Register, string Pointer)[] maps)
    {
        SummaryAndAttributes(w, summary);
        w.Line($"    private static void {name}<TWidth, THalves>({parameters})");
        w.Line("        where TWidth : struct, IWidth where THalves : struct, IWidth");
        w.Line("    {");
        w.Line("        int N = TWidth.Vectors, H = THalves.Vectors;");
        for (int j = 0; j < widest; j++)
            foreach (var (register, pointer) in maps)
                w.Line($"        var {register}{j} = N > {j} ? Vector512.LoadUnsafe(ref {pointer}, {16 * j}) : default;");
    }

    /// <summary>One <see cref="RowBody"/> for each stride, chosen by H (a constant, so the JIT keeps one).</summary>
    private static void StrideCases(Writer w, int[] halves, string indent, string source, Func<int, int, string> fma, int widest)
    {
        for (int i = 0; i < halves.Length; i++)
        {
            w.Line($"{indent}{(i == 0 ? "if" : "else if")} (H == {halves[i]})");
            w.Line($"{indent}{{");
            RowBody(w, halves[i], indent + "    ", source, fma, widest);
            w.Line($"{indent}}}");
        }
    }

    private static void CorrelateRowBlock(Writer w, string name, CorrelateMap[] maps, int widest, int[] halves, string[] summary)
    {
        string starts = string.Join(", ", maps.Select(m => $"ReadOnlySpan<int> {m.Starts}"));
        string dsts = string.Join(", ", maps.Select(m => $"ref float {m.Dst}"));
        RowBlockHead(w, summary, name, $"ref float src, ReadOnlySpan<int> sources, ref float kernels, {starts}, {dsts}", widest,
            [.. maps.Select(m => (m.Acc, m.Dst))]);
        w.Line("        ref int source = ref MemoryMarshal.GetReference(sources);");
        foreach (var m in maps)
            w.Line($"        ref int {m.Kernel}Start = ref MemoryMarshal.GetReference({m.Starts});");
        w.Line("        for (int p = 0; p < sources.Length; p++)");
        w.Line("        {");
        w.Line("            ref float plane = ref Unsafe.Add(ref src, Unsafe.Add(ref source, p));");
        foreach (var m in maps)
            w.Line($"            ref float {m.Kernel} = ref Unsafe.Add(ref kernels, Unsafe.Add(ref {m.Kernel}Start, p));");
        w.Line("            for (int c = 0; c < K; c++)");
        w.Line("            {");
        for (int r = 0; r < K; r++)
            foreach (var m in maps)
                w.Line($"                var {m.Weight}{r} = Vector512.Create(Unsafe.Add(ref {m.Kernel}, {r * K} + c));");
        w.Line("                ref float s = ref Unsafe.Add(ref plane, c);");
        // one source vector meets each map's weight of tap row r: a map sums into its accumulator m
        string Fmas(int m, int r) => Braced(maps.Length,
            string.Join(" ", maps.Select(map => $"{map.Acc}{m} = Vector512.FusedMultiplyAdd(v, {map.Weight}{r}, {map.Acc}{m});")));
        StrideCases(w, halves, "                ", "s", Fmas, widest);
        w.Line("            }");
        w.Line("        }");
        for (int j = 0; j < widest; j++)
            w.Line($"        if (N > {j}) {{ " + string.Join(" ", maps.Select(m => $"{m.Acc}{j}.StoreUnsafe(ref {m.Dst}, {16 * j});")) + " }");
        w.Line("    }");
        w.Line("");
    }

    private static void GradientRowBlock(Writer w, string name, GradientMap[] maps, int widest, int[] halves, string[] summary)
    {
        string grads = string.Join(", ", maps.Select(m => $"ref float {m.Ptr}"));
        string accs = string.Join(", ", maps.Select(m => $"ref float {m.Acc}"));
        RowBlockHead(w, summary, name, $"{grads}, ref float x, {accs}", widest, [.. maps.Select(m => (m.Grad, m.Ptr))]);
        w.Line("        for (int c = 0; c < K; c++)");
        w.Line("        {");
        foreach (var m in maps)
            foreach (var ch in m.Chains)
                w.Line("            Vector512<float> " + string.Join(", ", Enumerable.Range(0, K).Select(r => $"{ch}{r} = default")) + ";");
        w.Line("            ref float xc = ref Unsafe.Add(ref x, c);");
        // one source vector meets each map's output gradient vector q; a map's sum for tap row r runs
        // in as many chains as it has, taking turns with q
        string Fmas(int q, int r) => Braced(maps.Length, string.Join(" ", maps.Select(m =>
        {
            string ch = m.Chains[q % m.Chains.Length];
            return $"{ch}{r} = Vector512.FusedMultiplyAdd({m.Grad}{q}, v, {ch}{r});";
        })));
        StrideCases(w, halves, "            ", "xc", Fmas, widest);
        for (int r = 0; r < K; r++)
            foreach (var m in maps)
                w.Line($"            Accumulate(ref {m.Acc}, {r * K} + c, {string.Join(" + ", m.Chains.Select(ch => $"{ch}{r}"))});");
        w.Line("        }");
        w.Line("    }");
        w.Line("");
    }
}
