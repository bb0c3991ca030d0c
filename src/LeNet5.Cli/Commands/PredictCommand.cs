using System.CommandLine;
using System.Globalization;
using LeNet5.Core.Models;
using LeNet5.Imaging;

namespace LeNet5.Cli.Commands;

internal static class PredictCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "model file (.safetensors)", Required = true };
        var image = new Argument<string>("IMAGE") { Description = "an image of a digit (PNG, JPEG, BMP, GIF or WebP)" };
        var command = new Command("predict",
            "Recognise the digit in an image file, prepared as the web API prepares it (ink fitted into 20x20, centred by centre of mass in 28x28).")
        {
            model, image,
        };
        command.SetAction(parse => CommonOptions.Guard(() =>
        {
            var network = LeNet5Model.Load(parse.GetValue(model)!);
            var path = parse.GetValue(image)!;
            PreparedDigit digit;
            try
            {
                digit = new DigitImagePreparer().Prepare(File.ReadAllBytes(path));
            }
            catch (ImagePreparationException ex)
            {
                Console.Error.WriteLine($"error: {path}: {ex.Message}");
                return 1;
            }
            var prediction = network.Predict(digit.Pixels);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"digit {prediction.Digit} confidence {prediction.Confidence:0.00}"));
            return 0;
        }));
        return command;
    }
}
