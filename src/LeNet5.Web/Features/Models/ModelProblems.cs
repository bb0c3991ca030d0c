namespace LeNet5.Web.Features.Models;

/// <summary>The problems of naming, deleting and downloading models and their layers.</summary>
public static class ModelProblems
{
    public static ApiProblem UnknownModel(string id) => Problems.NotFound($"There is no model '{id}'; GET /api/models lists the models you can name.");

    public static ApiProblem ActiveModelKept(string id) =>
        Problems.Conflict($"'{id}' is the active model; activate another one (POST /api/models/OTHER/activate) before deleting it.");

    public static ApiProblem ModelFileKept(string id, string? reason) =>
        new(StatusCodes.Status500InternalServerError,
            $"The file of model '{id}' could not be deleted, so the model stays loaded; check the models folder's permissions and try again.", reason);

    public static ApiProblem UnknownFileFormat(string format, IReadOnlyList<string> accepted) =>
        Problems.Malformed($"There is no model file format '{format}'; ask for format={string.Join(" or format=", accepted)}.",
            $"Leave format out for {accepted[0]}.");

    public static ApiProblem NoModel() =>
        new(StatusCodes.Status503ServiceUnavailable, "No model is loaded; put a .safetensors model in the models folder and restart.");


    public static ApiProblem UnknownLayers(string layers, IEnumerable<string> known) =>
        Problems.Malformed($"There is no layer '{layers}' with parameters in this model; name some of {string.Join(", ", known)} (comma-separated), or leave ?layers= out.",
            "GET /api/models/{id}/parameters answers every layer's tensors when ?layers= is left out.");
}
