using LeNet5.Core.Kernels;
using LeNet5.Core.Layers;
using LeNet5.Core.Networks;

namespace LeNet5.Core.Tests;

/// <summary>
/// The layers the layer tests check, by name: small ones for the finite-difference checks (every
/// derivative is taken numerically), and LeNet-5's real sizes for the reference checks (so the vector
/// paths run, not only their tails).
/// </summary>
public static class TestLayers
{
    public static Layer Make(string name, KernelPath? path = null) => name switch
    {
        // small
        "conv-full" => new Convolution("c1", new Shape(2, 9, 8), 3, path: path),
        "conv-c3" => new Convolution("c3", new Shape(6, 7, 7), 16, Architecture.C3Table, path),
        "conv-dense" => new Convolution("c5", new Shape(4, 5, 5), 7, path: path),
        "fc" => new FullyConnected("fc", 13, 5, path),
        "tanh" => new ScaledTanh("t", new Shape(3, 4, 4)),
        "avgpool" => new Pooling("s", new Shape(3, 6, 4), PoolingKind.Average),
        "maxpool" => new Pooling("s", new Shape(3, 6, 4), PoolingKind.Max),
        "subsample" => new Pooling("s", new Shape(3, 6, 4), PoolingKind.Subsampling),
        // LeNet-5's sizes
        "c1" => new Convolution("c1", new Shape(1, 32, 32), 6, path: path),
        "c3" => new Convolution("c3", new Shape(6, 14, 14), 16, Architecture.C3Table, path),
        "c5" => new Convolution("c5", new Shape(16, 5, 5), 120, path: path),
        "c3-nopool" => new Convolution("c3", new Shape(6, 28, 28), 16, Architecture.C3Table, path),
        "c5-nopool" => new Convolution("c5", new Shape(16, 24, 24), 12, path: path),
        // odd counts of output and input maps: the pair kernels' last map goes alone
        "c5-nopool-odd" => new Convolution("c5", new Shape(3, 24, 24), 7, path: path),
        "f6" => new FullyConnected("f6", 3000, 84, path),
        "tanh-28" => new ScaledTanh("t", new Shape(6, 28, 28), path),
        "tanh-84" => new ScaledTanh("t", new Shape(84, 1, 1), path),
        "avgpool-28" => new Pooling("s", new Shape(6, 28, 28), PoolingKind.Average, path),
        "maxpool-28" => new Pooling("s", new Shape(6, 28, 28), PoolingKind.Max, path),
        "subsample-28" => new Pooling("s", new Shape(6, 28, 28), PoolingKind.Subsampling, path),
        "avgpool-10" => new Pooling("s", new Shape(16, 10, 10), PoolingKind.Average, path),
        "subsample-10" => new Pooling("s", new Shape(16, 10, 10), PoolingKind.Subsampling, path),
        _ => throw new ArgumentException(name),
    };
}
