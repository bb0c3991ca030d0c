namespace LeNet5.Core.Kernels;

/// <summary>
/// A count the JIT knows when it compiles: a generic method over a struct type argument is compiled
/// once for each struct, with <c>TWidth.Vectors</c> a constant, so the register blocks unroll up to
/// their widest and every <c>if (N &gt; j)</c> beyond the struct's count is removed with the
/// registers it would have used. One body then serves every width, each as its own straight-line code.
/// </summary>
internal interface IWidth { static abstract int Vectors { get; } }

internal struct Width1 : IWidth { public static int Vectors => 1; }
internal struct Width2 : IWidth { public static int Vectors => 2; }
internal struct Width3 : IWidth { public static int Vectors => 3; }
internal struct Width4 : IWidth { public static int Vectors => 4; }
internal struct Width5 : IWidth { public static int Vectors => 5; }
internal struct Width6 : IWidth { public static int Vectors => 6; }
internal struct Width7 : IWidth { public static int Vectors => 7; }
internal struct Width8 : IWidth { public static int Vectors => 8; }
internal struct Width9 : IWidth { public static int Vectors => 9; }
internal struct Width10 : IWidth { public static int Vectors => 10; }
internal struct Width11 : IWidth { public static int Vectors => 11; }
internal struct Width12 : IWidth { public static int Vectors => 12; }
internal struct Width13 : IWidth { public static int Vectors => 13; }
internal struct Width14 : IWidth { public static int Vectors => 14; }
internal struct Width15 : IWidth { public static int Vectors => 15; }
internal struct Width16 : IWidth { public static int Vectors => 16; }
