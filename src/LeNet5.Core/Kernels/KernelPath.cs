using System.Runtime.Intrinsics;

namespace LeNet5.Core.Kernels;

/// <summary>
/// Which code the hot loops run: AVX-512 register blocks, or the portable TensorPrimitives loops
/// (which pick 256-bit, 128-bit or scalar code themselves). Every layer is given its path when it is
/// built and keeps it, so two networks on different paths can run side by side (the tests compare them).
/// </summary>
public enum KernelPath
{
    Portable,
    Vector512,
}

public static class KernelPaths
{
    /// <summary>The fastest path this machine runs.</summary>
    public static KernelPath Fastest { get; } = Vector512.IsHardwareAccelerated ? KernelPath.Vector512 : KernelPath.Portable;

    /// <summary>What a path runs, layer by layer, in a few words (the bench prints it beside its figures).</summary>
    public static string Describe(KernelPath path) => path == KernelPath.Vector512
        ? "512-bit register blocks; C3 sixteen samples to a vector, one in each lane, and a single image's maps whole in registers; a single image over C5's and F6's W transposed"
        : "TensorPrimitives loops, one kernel tap or row at a time";

    /// <summary>The path asked for if this machine runs it, else the portable one.</summary>
    public static KernelPath Supported(KernelPath wanted) =>
        wanted == KernelPath.Vector512 && !Vector512.IsHardwareAccelerated ? KernelPath.Portable : wanted;
}
