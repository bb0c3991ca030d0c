using Serilog;

namespace LeNet5.Web.Features.Predict;

/// <summary>
/// How a request that sends an image to a model is let in, the same for predictions, explanations
/// and contributed drawings: the model it names (or the active one) resolved and noted in the request
/// log, and a body slot of <see cref="BodySlots"/> taken before its body is read.
/// </summary>
public sealed class ImageAdmission(ModelRegistry registry, BodySlots slots, IDiagnosticContext log)
{
    /// <summary>The model <paramref name="id"/> names, or the active one when it is null (404 when there is no such model).</summary>
    public ModelEntry Model(string? id)
    {
        var entry = registry.Resolve(id);
        log.Set("Model", entry.Id);
        return entry;
    }

    /// <summary>A body slot held until the answer is written (503 when none is free); the body's reader charges it.</summary>
    public BodySlots.Slot Slot(HttpContext http) => slots.Take(http.Response);
}
