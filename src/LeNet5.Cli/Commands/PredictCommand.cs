using System.CommandLine;
using System.Globalization;
using LeNet5.Core.Models;
using LeNet5.Core.Preparation;
using LeNet5.Core.Recognition;
using LeNet5.Imaging;

namespace LeNet5.Cli.Commands;

internal static class PredictCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "model file (.safetensors)", Required = true };
        var images = new Argument<string[]>("IMAGE") { Description = $"pictures of digits ({PictureFormats.Names})", Arity = ArgumentArity.OneOrMore };
        var command = new Command("predict",
            "Recognise the digit in each picture, prepared and judged as the web API does (ink fitted into 20x20, centred by centre of mass in 28x28). " +
            "Prints one line per picture, in order: \"digit D confidence C\", with \" rejected\" appended when the network is not sure it sees a digit, " +
            "A picture that cannot be read gets no line but an error on standard error, and the exit code is 1.")
        {
            model, images,
        };
        command.SetAction(parse => CommonOptions.Guard(() =>
        {
            var network = ModelFile.Load(parse.GetValue(model)!);
            var recognizer = new DigitRecognizer(new DigitImagePreparer(), RejectPolicy.Default);
            int failed = 0;
            foreach (var path in parse.GetValue(images)!)
            {
                try
                {
                    var answer = recognizer.Recognize(network, File.ReadAllBytes(path));
                    var p = answer.Prediction;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"digit {p.Digit} confidence {p.Confidence:0.00}{(answer.Rejected ? " rejected" : "")}"));
                }
                catch (Exception ex) when (ex is DigitPreparationException or IOException or UnauthorizedAccessException)
                {
                    // the others are still answered; standard error says which picture failed and why, the exit code that one did
                    Console.Error.WriteLine($"error: {path}: {ex.Message}");
                    failed++;
                }
            }
            return failed == 0 ? 0 : 1;
        }));
        return command;
    }
}
