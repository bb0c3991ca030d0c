using LeNet5.Core.Kernels;
using LeNet5.Core.Layers;

namespace LeNet5.Core.Networks;

/// <summary>The output stage: RBF units with fixed bitmaps (the paper's), or a linear layer with softmax.</summary>
public enum OutputKind { Rbf, Softmax }

/// <summary>
/// Which network to build: one of the three seed architectures, with the pooling and output kind as
/// options. Its string form (<see cref="ToString"/>) is what model files and the CLI use.
/// </summary>
public sealed record Architecture(string Name, PoolingKind Pooling = PoolingKind.Average, OutputKind Output = OutputKind.Rbf,
    RbfCriterion Criterion = RbfCriterion.Map)
{
    public const string LeNet5 = "lenet5";
    public const string NoPool = "lenet5-nopool";
    public const string NoPoolFc = "lenet5-nopool-fc";
    public static readonly IReadOnlyList<string> Names = [LeNet5, NoPool, NoPoolFc];
    public static readonly IReadOnlyList<string> Poolings = Tokens.All<PoolingKind>();
    public static readonly IReadOnlyList<string> Outputs = Tokens.All<OutputKind>();
    public static readonly IReadOnlyList<string> Criteria = Tokens.All<RbfCriterion>();

    /// <summary>Whether a network of this name has S2/S4 pooling layers, whose kind <see cref="Pooling"/> chooses: only lenet5 has.</summary>
    public static bool Pools(string name) => name == LeNet5;

    /// <summary>The pooling words that tell networks of this name apart: lenet5's every kind, an ablation's only the default (it has nothing to pool).</summary>
    public static IReadOnlyList<string> PoolingsOf(string name) => Pools(name) ? Poolings : [Tokens.Of(PoolingKind.Average)];

    /// <summary>C3's sparse connection table (paper, Table I): the S2 maps each C3 map sees.</summary>
    public static readonly int[][] C3Table =
    [
        [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 0], [5, 0, 1],
        [0, 1, 2, 3], [1, 2, 3, 4], [2, 3, 4, 5], [3, 4, 5, 0], [4, 5, 0, 1], [5, 0, 1, 2],
        [0, 1, 3, 4], [1, 2, 4, 5], [0, 2, 3, 5],
        [0, 1, 2, 3, 4, 5],
    ];

    public static readonly Shape InputShape = new(1, 32, 32);

    public override string ToString() =>
        $"{Name} pooling={Tokens.Of(Pooling)} output={Tokens.Of(Output)}" + (Output == OutputKind.Rbf ? $" criterion={Tokens.Of(Criterion)}" : "");

    /// <summary>Parses the form written by <see cref="ToString"/>.</summary>
    public static Architecture Parse(string text)
    {
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || !Names.Contains(parts[0]))
            throw new FormatException($"unknown architecture '{text}'; expected one of {string.Join(", ", Names)}");
        var arch = new Architecture(parts[0]);
        foreach (var part in parts.Skip(1))
        {
            var kv = part.Split('=', 2);
            if (kv.Length != 2) throw new FormatException($"bad architecture option '{part}'");
            arch = kv[0] switch
            {
                "pooling" => arch with { Pooling = Tokens.Parse<PoolingKind>(kv[1]) },
                "output" => arch with { Output = Tokens.Parse<OutputKind>(kv[1]) },
                "criterion" => arch with { Criterion = Tokens.Parse<RbfCriterion>(kv[1]) },
                _ => throw new FormatException($"unknown architecture option '{kv[0]}'"),
            };
        }
        return arch;
    }

    /// <summary>Builds the layers of this architecture, their hot loops on <paramref name="path"/> (default: the fastest).</summary>
    public Network Build(KernelPath? path = null)
    {
        var layers = new List<Layer>();
        Shape Last() => layers.Count == 0 ? InputShape : layers[^1].Output;
        void Add(Layer layer) => layers.Add(layer);
        void Squash(string name) => Add(new ScaledTanh(name, Last(), path));
        void Pool(string name)
        {
            if (!Pools(Name)) return;
            Add(new Pooling(name, Last(), Pooling, path));
            // the paper squashes after its trainable subsampling; plain pooling of squashed maps needs none
            if (Pooling == PoolingKind.Subsampling) Squash(name + ".tanh");
        }

        Add(new Convolution("c1", Last(), 6, path: path));
        Squash("c1.tanh");
        Pool("s2");
        Add(new Convolution("c3", Last(), 16, C3Table, path));
        Squash("c3.tanh");
        Pool("s4");
        Add(new Convolution("c5", Last(), 120, path: path));
        Squash("c5.tanh");
        if (Name == NoPoolFc)
        {
            Add(new FullyConnected("fc", Last().Size, 120, path));
            Squash("fc.tanh");
        }
        Add(new FullyConnected("f6", Last().Size, 84, path));
        Squash("f6.tanh");
        OutputHead head;
        if (Output == OutputKind.Softmax)
        {
            Add(new FullyConnected("output", 84, OutputHead.Classes, path));
            head = new SoftmaxHead();
        }
        else
        {
            head = new RbfHead(Criterion);
        }
        return new Network(this, layers, head);
    }
}
