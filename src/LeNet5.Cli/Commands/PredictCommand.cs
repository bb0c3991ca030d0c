using System.CommandLine;

namespace LeNet5.Cli.Commands;

internal static class PredictCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "model file (.safetensors)", Required = true };
        var image = new Argument<string>("IMAGE") { Description = "an image of a digit (PNG, JPEG, BMP, GIF or WebP)" };
        var command = new Command("predict", "Recognise the digit in an image file.") { model, image };
        command.SetAction(_ =>
        {
            Console.Error.WriteLine("error: predict is not built yet (issue 5 brings image preparation)");
            return 2;
        });
        return command;
    }
}
