using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LeNet5.Core.Models;
using LeNet5.Core.Preparation;
using LeNet5.Core.Recognition;
using LeNet5.Imaging;

namespace LeNet5.Cli.Commands;

internal static class PredictCommand
{
    /// <summary>The file argument that means standard input.</summary>
    public const string StandardInput = "-";

    /// <summary>One line of <c>predict --json</c>.</summary>
    private sealed record JsonAnswer(string File, int Digit, float Confidence, float[] Probabilities, bool Rejected, string Model)
    {
        /// <summary>When a committee answered: each member's model, digit and confidence, the lead first.</summary>
        [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
        public IReadOnlyList<JsonVote>? Committee { get; init; }
    }

    private sealed record JsonVote(string Model, int Digit, float Confidence);

    public static Command Create()
    {
        var model = CommonOptions.Model();
        var alone = new Option<bool>("--alone") { Description = $"the model alone, even when it leads the shipped committee ({string.Join(", ", ShippedModels.Committee)}), which otherwise answers together as the web app does" };
        var json = new Option<bool>("--json") { Description = "one JSON object per image per line (JSON Lines): file, digit, confidence, probabilities, rejected, model" };
        var images = new Argument<string[]>("IMAGE")
        {
            Description = $"images of digits ({ImageFormats.Names}); {StandardInput} reads one from standard input",
            Arity = ArgumentArity.OneOrMore,
        };
        var command = new Command("predict",
            "Recognise the digit in each image, prepared and judged as the web API does (ink fitted into 20x20, centred by centre of mass in 28x28). " +
            "Prints one line per image, in order: \"digit D confidence C\", with \" rejected\" appended when the network is not sure it sees a digit " +
            "(with --json, a JSON object instead). An image that cannot be read gets no line but an error on standard error. " +
            "Exit code: 0 when every image was read, 1 when some could not be, 2 for a usage error.")
        {
            model, alone, json, images,
        };
        command.SetAction(parse => CommonOptions.Guard(() =>
        {
            var (network, modelLabel, _) = CommonOptions.LoadModel(parse, model);
            // the shipped committee answers for its lead, as the web app does, unless --alone
            var committee = parse.GetValue(alone) ? null : ShippedModels.CommitteeFor(parse.GetValue(model));
            var members = committee?.Select(name => name == committee[0] ? network : ModelFile.Load(ShippedModels.Resolve(name))).ToArray();
            var recognizer = new DigitRecognizer(new DigitImagePreparer(), RejectPolicy.Default);
            bool asJson = parse.GetValue(json);
            int failed = 0;
            foreach (var path in parse.GetValue(images)!)
            {
                try
                {
                    var answer = members is null ? recognizer.Recognize(network, Read(path)) : recognizer.Recognize(members, Read(path));
                    var p = answer.Prediction;
                    var votes = answer.Votes?.Select((v, i) => new JsonVote(committee![i], v.Digit, v.Confidence)).ToArray();
                    Console.WriteLine(asJson
                        ? JsonSerializer.Serialize(new JsonAnswer(path, p.Digit, p.Confidence, p.Probabilities, answer.Rejected, modelLabel) { Committee = votes }, CommonOptions.Json)
                        : string.Create(CultureInfo.InvariantCulture, $"digit {p.Digit} confidence {p.Confidence:0.00}{(answer.Rejected ? " rejected" : "")}"));
                }
                catch (Exception ex) when (ex is DigitPreparationException or IOException or UnauthorizedAccessException)
                {
                    // the others are still answered; standard error says which image failed and why, the exit code that one did
                    Console.Error.WriteLine($"error: {path}: {ex.Message}");
                    failed++;
                }
            }
            return failed == 0 ? 0 : 1;
        }));
        return command;
    }

    private static byte[] Read(string path)
    {
        if (path != StandardInput) return File.ReadAllBytes(path);
        using var input = Console.OpenStandardInput();
        using var buffer = new MemoryStream();
        input.CopyTo(buffer);
        return buffer.ToArray();
    }
}
