using System.CommandLine;
using LeNet5.Onnx;

namespace LeNet5.Cli.Commands;

internal static class ExportCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var output = new Option<string>("--out") { Description = "ONNX file to write (.onnx)", Required = true };
        var command = new Command("export",
            $"Write the model as ONNX (opset {OnnxExport.Opset}) for ONNX Runtime and other engines: input \"{OnnxExport.Input}\" float [N,1,28,28] in 0-255, " +
            $"outputs \"{OnnxExport.Probabilities}\" [N,10] and, for RBF models, \"{OnnxExport.Distances}\" [N,10].")
        {
            model, output,
        };
        command.SetAction(parse => CommonOptions.Guard(() =>
        {
            var target = parse.GetValue(output)!;
            var (source, _, sourceFile) = CommonOptions.LoadModel(parse, model);
            var bytes = OnnxExport.Serialize(source, Path.GetFileName(sourceFile));
            File.WriteAllBytes(target, bytes);
            Console.WriteLine($"wrote {target} ({bytes.Length:N0} bytes)");
            return 0;
        }));
        return command;
    }
}
