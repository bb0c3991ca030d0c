#!/usr/bin/env python3
"""Writes ConvolutionBlocks.g.cs: the AVX-512 register blocks of ConvolutionKernels.

Each block keeps its sums in named registers, so every width is its own straight-line code; C# cannot
index registers, hence the generator. Run it from this folder after changing it:
    python3 ConvolutionBlocks.py > ConvolutionBlocks.g.cs
"""
K = 5
MAX_ROW = 16     # row blocks: N sums + 5 weights + 1 load (Correlate), N gradients + 10 sums + 1 (Gradient): within 32 registers
MAX_PLAIN = 12   # blocks at any stride: N sums + 1 weight
MAX_PAIR = 10    # pair blocks: 2N sums + 10 weights + 1 load (Correlate), 2N gradients + 10 sums + 1 (Gradient)
HALVES = (1, 2, 3, 4)  # row strides of 8, 16, 24 and 32 floats
ODD_HALVES = (1, 3)    # the strides the pair blocks run at (see ConvolutionKernels.CorrelatePair)


def row_body(H, indent, source, fma, widest=MAX_ROW):
    # source half-vector h = 2 m + H r meets output vector m (or output gradient vector m) at tap row r;
    # each is loaded once and feeds fma(m, r) for every (m, r) it serves
    lines = []
    for h in range(2 * (widest - 1) + (K - 1) * H + 1):
        served = [((h - H * r) // 2, r) for r in range(K) if (h - H * r) % 2 == 0 and 0 <= (h - H * r) // 2 < widest]
        if served:
            first = min(m for m, _ in served)
            lines.append(f"{indent}if (N > {first}) {{ var v = Vector512.LoadUnsafe(ref {source}, {8 * h}); "
                         + " ".join(f"if (N > {m}) {fma(m, r)}" for m, r in served) + " }")
    return "\n".join(lines)


def row_correlate_body(H, indent, maps, widest):
    # one source vector meets each map's weight of tap row r: map (acc, weight, ...) sums into acc{m}
    fmas = lambda m, r: " ".join(f"{a}{m} = Vector512.FusedMultiplyAdd(v, {u}{r}, {a}{m});" for a, u, *_ in maps)
    return row_body(H, indent, "s", (lambda m, r: fmas(m, r)) if len(maps) == 1 else (lambda m, r: f"{{ {fmas(m, r)} }}"), widest)


def row_gradient_body(H, indent, maps, widest):
    # one source vector meets each map's output gradient vector q; a map's sum for tap row r runs
    # in as many chains as it has (alternating with q)
    def fmas(q, r):
        return " ".join(f"{chains[q % len(chains)]}{r} = Vector512.FusedMultiplyAdd({g}{q}, v, {chains[q % len(chains)]}{r});"
                        for g, _, chains, _ in maps)
    return row_body(H, indent, "xc", (lambda q, r: fmas(q, r)) if len(maps) == 1 else (lambda q, r: f"{{ {fmas(q, r)} }}"), widest)


# the maps of a row block: accumulator, weight register, kernel ref, destination, kernel-start list
SINGLE = [("a", "w", "k", "dst", "kernelStarts")]
PAIR = [("a", "w", "ka", "dstA", "kernelsA"), ("b", "u", "kb", "dstB", "kernelsB")]


# the maps of a gradient row block: gradient register, gradient ref, sum chains, accumulators
SINGLE_GRADIENT = [("g", "g", ("e", "o"), "acc")]
PAIR_GRADIENT = [("g", "gA", ("e",), "accA"), ("h", "gB", ("f",), "accB")]


def summary_and_attributes(w, summary):
    w("    /// <summary>")
    for line in summary:
        w(f"    /// {line}")
    w("    /// </summary>")
    w("    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // straight to optimised code: tier 0 would spend the first epoch on these")


def gradient_row_block(w, name, maps, widest, halves, summary):
    summary_and_attributes(w, summary)
    grads = ", ".join(f"ref float {ptr}" for _, ptr, _, _ in maps)
    accs = ", ".join(f"ref float {acc}" for *_, acc in maps)
    w(f"    private static void {name}<TWidth, THalves>({grads}, ref float x, {accs})")
    w("        where TWidth : struct, IWidth where THalves : struct, IWidth")
    w("    {")
    w("        int N = TWidth.Vectors, H = THalves.Vectors;")
    for j in range(widest):
        for g, ptr, _, _ in maps:
            w(f"        var {g}{j} = N > {j} ? Vector512.LoadUnsafe(ref {ptr}, {16 * j}) : default;")
    w("        for (int c = 0; c < K; c++)")
    w("        {")
    for _, _, chains, _ in maps:
        for ch in chains:
            w("            Vector512<float> " + ", ".join(f"{ch}{r} = default" for r in range(K)) + ";")
    w("            ref float xc = ref Unsafe.Add(ref x, c);")
    for i, H in enumerate(halves):
        w(f"            {'if' if i == 0 else 'else if'} (H == {H})")
        w("            {")
        w(row_gradient_body(H, "                ", maps, widest))
        w("            }")
    for r in range(K):
        for _, _, chains, acc in maps:
            w(f"            Accumulate(ref {acc}, {r * K} + c, {' + '.join(f'{ch}{r}' for ch in chains)});")
    w("        }")
    w("    }")
    w("")


def correlate_row_block(w, name, maps, widest, halves, summary):
    summary_and_attributes(w, summary)
    params = ", ".join(f"ReadOnlySpan<int> {starts}" for *_, starts in maps)
    dsts = ", ".join(f"ref float {dst}" for _, _, _, dst, _ in maps)
    w(f"    private static void {name}<TWidth, THalves>(ref float src, ReadOnlySpan<int> sources, ref float kernels, {params}, {dsts})")
    w("        where TWidth : struct, IWidth where THalves : struct, IWidth")
    w("    {")
    w("        int N = TWidth.Vectors, H = THalves.Vectors;")
    for j in range(widest):
        for a, _, _, dst, _ in maps:
            w(f"        var {a}{j} = N > {j} ? Vector512.LoadUnsafe(ref {dst}, {16 * j}) : default;")
    w("        ref int source = ref MemoryMarshal.GetReference(sources);")
    for _, _, k, _, starts in maps:
        w(f"        ref int {k}Start = ref MemoryMarshal.GetReference({starts});")
    w("        for (int p = 0; p < sources.Length; p++)")
    w("        {")
    w("            ref float plane = ref Unsafe.Add(ref src, Unsafe.Add(ref source, p));")
    for _, _, k, _, _ in maps:
        w(f"            ref float {k} = ref Unsafe.Add(ref kernels, Unsafe.Add(ref {k}Start, p));")
    w("            for (int c = 0; c < K; c++)")
    w("            {")
    for r in range(K):
        for _, u, k, _, _ in maps:
            w(f"                var {u}{r} = Vector512.Create(Unsafe.Add(ref {k}, {r * K} + c));")
    w("                ref float s = ref Unsafe.Add(ref plane, c);")
    for i, H in enumerate(halves):
        w(f"                {'if' if i == 0 else 'else if'} (H == {H})")
        w("                {")
        w(row_correlate_body(H, "                    ", maps, widest))
        w("                }")
    w("            }")
    w("        }")
    for j in range(widest):
        w(f"        if (N > {j}) {{ " + " ".join(f"{a}{j}.StoreUnsafe(ref {dst}, {16 * j});" for a, _, _, dst, _ in maps) + " }")
    w("    }")
    w("")


def main():
    out = []
    w = out.append
    w("// <auto-generated> by ConvolutionBlocks.py: edit that and rerun it, not this file. </auto-generated>")
    w("using System.Runtime.CompilerServices;")
    w("using System.Runtime.InteropServices;")
    w("using System.Runtime.Intrinsics;")
    w("")
    w("namespace LeNet5.Core.Kernels;")
    w("")
    w("internal static partial class ConvolutionKernels")
    w("{")
    w(f"    private const int MaxRowBlock = {MAX_ROW};")
    w(f"    private const int MaxPlainBlock = {MAX_PLAIN};")
    w(f"    private const int MaxPairBlock = {MAX_PAIR};")
    w("")
    w("    private interface IWidth { static abstract int Vectors { get; } }")
    for j in range(1, MAX_ROW + 1):
        w(f"    private struct Width{j} : IWidth {{ public static int Vectors => {j}; }}")
    w("")
    # dispatchers
    def dispatcher(summary, signature, key, cases):
        w(f"    /// <summary>{summary}</summary>")
        w(f"    private static void {signature}")
        w("    {")
        w(f"        switch ({key})")
        w("        {")
        for case, call in cases:
            w(f"            case {case}: {call}; break;")
        w("            default: throw new ArgumentOutOfRangeException(nameof(width));")
        w("        }")
        w("    }")
        w("")

    rows = [(H, j) for H in HALVES for j in range(1, MAX_ROW + 1)]
    dispatcher("The row block of <paramref name=\"width\"/> vectors for a stride of <paramref name=\"rowHalves\"/> half-vectors.",
               "CorrelateRows(int width, int rowHalves, ref float src, ReadOnlySpan<int> sources, ref float kernels, ReadOnlySpan<int> kernelStarts, ref float dst)",
               "(width, rowHalves)",
               [(f"({j}, {S})", f"RowBlock<Width{j}, Width{S}>(ref src, sources, ref kernels, kernelStarts, ref dst)") for S, j in rows])
    dispatcher("The plain block of <paramref name=\"width\"/> vectors, for any stride.",
               "CorrelatePlain(int width, ref float src, ReadOnlySpan<int> sources, int stride, ref float kernels, ReadOnlySpan<int> kernelStarts, ref float dst)",
               "width",
               [(f"{j}", f"Block<Width{j}>(ref src, sources, stride, ref kernels, kernelStarts, ref dst)") for j in range(1, MAX_PLAIN + 1)])
    dispatcher("The gradient row block of <paramref name=\"width\"/> vectors for a stride of <paramref name=\"rowHalves\"/> half-vectors.",
               "GradientRows(int width, int rowHalves, ref float g, ref float x, ref float acc)",
               "(width, rowHalves)",
               [(f"({j}, {S})", f"GradientRowBlock<Width{j}, Width{S}>(ref g, ref x, ref acc)") for S, j in rows])
    pairs = [(H, j) for H in HALVES for j in range(1, MAX_PAIR + 1)]
    dispatcher("The pair row block of <paramref name=\"width\"/> vectors: two maps over the same sources.",
               "CorrelateRowsPair(int width, int rowHalves, ref float src, ReadOnlySpan<int> sources, ref float kernels, ReadOnlySpan<int> kernelsA, ReadOnlySpan<int> kernelsB, ref float dstA, ref float dstB)",
               "(width, rowHalves)",
               [(f"({j}, {S})", f"RowBlockPair<Width{j}, Width{S}>(ref src, sources, ref kernels, kernelsA, kernelsB, ref dstA, ref dstB)") for S, j in pairs if S in ODD_HALVES])
    dispatcher("The pair gradient row block of <paramref name=\"width\"/> vectors: two maps' kernels over the same input.",
               "GradientRowsPair(int width, int rowHalves, ref float gA, ref float gB, ref float x, ref float accA, ref float accB)",
               "(width, rowHalves)",
               [(f"({j}, {S})", f"GradientRowBlockPair<Width{j}, Width{S}>(ref gA, ref gB, ref x, ref accA, ref accB)") for S, j in pairs if S in ODD_HALVES])
    # plain block
    w("    /// <summary>TWidth.Vectors output vectors at dst held in registers while every pair's 25 taps are multiply-added in.</summary>")
    w("    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // straight to optimised code: tier 0 would spend the first epoch on these")
    w("    private static void Block<TWidth>(ref float src, ReadOnlySpan<int> sources, int stride, ref float kernels, ReadOnlySpan<int> kernelStarts, ref float dst)")
    w("        where TWidth : struct, IWidth")
    w("    {")
    w("        int N = TWidth.Vectors;")
    for j in range(MAX_PLAIN):
        w(f"        var a{j} = N > {j} ? Vector512.LoadUnsafe(ref dst, {16 * j}) : default;")
    w("        ref int source = ref MemoryMarshal.GetReference(sources);")
    w("        ref int kernel = ref MemoryMarshal.GetReference(kernelStarts);")
    w("        for (int p = 0; p < sources.Length; p++)")
    w("        {")
    w("            ref float plane = ref Unsafe.Add(ref src, Unsafe.Add(ref source, p));")
    w("            ref float k = ref Unsafe.Add(ref kernels, Unsafe.Add(ref kernel, p));")
    w("            for (int r = 0; r < K; r++)")
    w("            {")
    w("                ref float row = ref Unsafe.Add(ref plane, r * stride);")
    w("                for (int c = 0; c < K; c++)")
    w("                {")
    w("                    var w = Vector512.Create(Unsafe.Add(ref k, r * K + c));")
    w("                    ref float s = ref Unsafe.Add(ref row, c);")
    for j in range(MAX_PLAIN):
        w(f"                    if (N > {j}) a{j} = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref s, {16 * j}), w, a{j});")
    w("                }")
    w("            }")
    w("        }")
    for j in range(MAX_PLAIN):
        w(f"        if (N > {j}) a{j}.StoreUnsafe(ref dst, {16 * j});")
    w("    }")
    w("")
    # row blocks: one map, and two maps over the same sources
    correlate_row_block(w, "RowBlock", SINGLE, MAX_ROW, HALVES, [
        "A block for a row stride of THalves.Vectors half-vectors (8 floats each): output vector m and",
        "weight row r read the source vector at half-vector 2m + r THalves.Vectors, so each source",
        "vector is loaded once per kernel column and meets up to five weights."])
    # plain gradient
    w("    /// <summary>All 25 tap sums in registers, at any stride: each g vector is loaded once and meets the 25 shifted x vectors.</summary>")
    w("    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // straight to optimised code: tier 0 would spend the first epoch on these")
    w("    private static void GradientBlock(ref float g, ref float x, int stride, int padded, ref float acc)")
    w("    {")
    for r in range(K):
        w("        Vector512<float> " + ", ".join(f"s{r}{c} = default" for c in range(K)) + ";")
    w("        for (int q = 0; q < padded; q += V)")
    w("        {")
    w("            var e = Vector512.LoadUnsafe(ref g, (nuint)q);")
    w("            ref float x0 = ref Unsafe.Add(ref x, q);")
    for r in range(1, K):
        w(f"            ref float x{r} = ref Unsafe.Add(ref x{r - 1}, stride);")
    for r in range(K):
        for c in range(K):
            w(f"            s{r}{c} = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x{r}, {c}), e, s{r}{c});")
    w("        }")
    for r in range(K):
        for c in range(K):
            w(f"        Accumulate(ref acc, {r * K + c}, s{r}{c});")
    w("    }")
    w("")
    # gradient row blocks: one map's kernel, and two maps' kernels over the same input
    gradient_row_block(w, "GradientRowBlock", SINGLE_GRADIENT, MAX_ROW, HALVES, [
        "The kernel gradient for a row stride of THalves.Vectors half-vectors, over TWidth.Vectors output",
        "gradient vectors held in registers: tap (r, c) pairs output vector q with the source vector at",
        "half-vector 2q + r THalves.Vectors, so each source vector is loaded once per kernel column and",
        "meets up to five of them. Each tap's sum runs as two chains (even and odd q) to hide the FMA latency."])
    correlate_row_block(w, "RowBlockPair", PAIR, MAX_PAIR, ODD_HALVES, [
        "<see cref=\"RowBlock{TWidth, THalves}\"/> for two output maps that read the same sources with",
        "their own kernels (the ablations' C5 and its input gradients): each source vector is loaded",
        "once for both, so a load feeds up to ten multiply-adds."])
    gradient_row_block(w, "GradientRowBlockPair", PAIR_GRADIENT, MAX_PAIR, ODD_HALVES, [
        "<see cref=\"GradientRowBlock{TWidth, THalves}\"/> for the kernels of two output maps that read",
        "the same input map: each source vector is loaded once for both maps' output gradients. One",
        "chain per tap row and map: ten chains keep the FMAs busy."])
    w("    [MethodImpl(MethodImplOptions.AggressiveInlining)]")
    w("    private static void Accumulate(ref float acc, int tap, Vector512<float> sum) =>")
    w("        (Vector512.LoadUnsafe(ref acc, (nuint)(tap * V)) + sum).StoreUnsafe(ref acc, (nuint)(tap * V));")
    w("}")
    print("\n".join(out))


if __name__ == "__main__":
    main()
