using System.Text.Json;
using LeNet5.Testing;

// the bodies the serving benchmark sends, written into the folder it names
var folder = args[0];
File.WriteAllText(Path.Combine(folder, "pixels.json"), JsonSerializer.Serialize(new { pixels = TestMnist.Test.Image(0).ToArray().Select(b => (int)b) }));
// a 7 drawn as the page draws it: black strokes of a 20 px pen on a transparent 280x280 canvas
File.WriteAllBytes(Path.Combine(folder, "canvas.png"), TestImages.CanvasDrawing(280, 20, [(0.25f, 0.2f), (0.75f, 0.2f), (0.45f, 0.85f)]));
