using System.Runtime.InteropServices;
using Google.Protobuf;
using LeNet5.Onnx.Proto;

namespace LeNet5.Onnx;

/// <summary>
/// Appends nodes and constant tensors to an ONNX graph, naming every intermediate value after the
/// layer that makes it ("c1.tanh/mul"), so a graph viewer reads like the network's layer list.
/// </summary>
internal sealed class OnnxGraph
{
    public GraphProto Proto { get; } = new();

    /// <summary>A float constant (weights, biases, scalars) stored little-endian in raw_data.</summary>
    public string Constant(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values));
        Proto.Initializer.Add(tensor);
        return name;
    }

    public string Scalar(string name, float value) => Constant(name, [value]);

    /// <summary>An int64 constant (pads, axes): operators take these as inputs since opset 13.</summary>
    public string Int64s(string name, params long[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        Proto.Initializer.Add(tensor);
        return name;
    }

    /// <summary>Adds one node; its output value is called <paramref name="output"/>.</summary>
    public string Node(string op, string output, string[] inputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        Proto.Node.Add(node);
        return output;
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    /// <summary>A float tensor value of the graph's interface; a null dimension is the dynamic batch "N".</summary>
    public static ValueInfoProto FloatValue(string name, string doc, params long?[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d is { } v ? new TensorShapeProto.Types.Dimension { DimValue = v } : new TensorShapeProto.Types.Dimension { DimParam = "N" });
        return new ValueInfoProto
        {
            Name = name,
            DocString = doc,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
