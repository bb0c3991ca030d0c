using LeNet5.Core.Preparation;
using LeNet5.Imaging;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace LeNet5.Web.Features.Predict;

/// <summary>
/// Reads the images of a predict request in any of its forms: a raw image body, multipart/form-data,
/// or JSON. The body is read up to the configured limit and no further, every byte charged to the
/// request's body slot; anything wrong is thrown as an <see cref="ApiProblem"/> (400, 413, 415 or 503).
/// </summary>
public sealed class PredictRequestReader(IOptions<LimitsOptions> limits, DigitImagePreparer preparer)
{
    public const string ImageField = "image";
    public const string BatchField = "images";
    private const string SendJson = "{\"image\": \"data:image/png;base64,...\"} or {\"pixels\": [784 numbers]}";

    private readonly LimitsOptions _limits = limits.Value;

    /// <summary>The one image of <c>POST /api/predict</c>.</summary>
    public async Task<PredictInput> ReadSingleAsync(HttpRequest request, BodySlots.Slot slot, CancellationToken cancellationToken)
    {
        var mediaType = JsonBody.MediaTypeOf(request);
        if (IsImageBody(mediaType))
        {
            var body = await ReadBodyAsync(request, slot, cancellationToken);
            return body.Length == 0 ? throw ImageProblems.Malformed("The request body is empty; send an image.") : new EncodedImageInput(body);
        }
        if (JsonBody.IsMultipart(mediaType))
        {
            var files = await ReadMultipartFilesAsync(request, slot, ImageField, batch: false, cancellationToken);
            return files.Count > 0 ? files[0] : throw ImageProblems.Malformed($"The form has no file in the field '{ImageField}'; send the image as -F {ImageField}=@digit.png.");
        }
        if (JsonBody.IsJson(mediaType))
        {
            using var json = JsonBody.Parse(await ReadBodyAsync(request, slot, cancellationToken), SendJson);
            return ReadJsonItem(json.RootElement, "The JSON body");
        }
        throw ImageProblems.UnsupportedImage(request.ContentType);
    }

    /// <summary>The images of <c>POST /api/predict/batch</c>, in order.</summary>
    public async Task<IReadOnlyList<PredictInput>> ReadBatchAsync(HttpRequest request, BodySlots.Slot slot, CancellationToken cancellationToken)
    {
        var mediaType = JsonBody.MediaTypeOf(request);
        IReadOnlyList<PredictInput> items;
        if (JsonBody.IsMultipart(mediaType))
        {
            items = await ReadMultipartFilesAsync(request, slot, BatchField, batch: true, cancellationToken);
        }
        else if (JsonBody.IsJson(mediaType))
        {
            using var json = JsonBody.Parse(await ReadBodyAsync(request, slot, cancellationToken), SendJson);
            if (json.RootElement.ValueKind != JsonValueKind.Object
                || !json.RootElement.TryGetProperty(BatchField, out var array) || array.ValueKind != JsonValueKind.Array)
                throw ImageProblems.Malformed("The JSON body needs an array 'images'; send {\"images\": [\"data:image/png;base64,...\", ...]}.");
            if (array.GetArrayLength() > _limits.MaxBatchImages) throw TooManyImages();
            items = [.. array.EnumerateArray().Select((item, i) => ReadJsonItem(item, $"images[{i}]"))];
        }
        else
        {
            throw Problems.UnsupportedType(request.ContentType,
                $"a batch as multipart/form-data (files in the field '{BatchField}') or as application/json {{\"images\": [...]}}");
        }
        if (items.Count == 0)
            throw ImageProblems.Malformed($"The batch holds no image; send files in the field '{BatchField}' or a non-empty 'images' array.");
        CheckBatchPixels(items);
        return items;
    }

    /// <summary>
    /// Refuses (413) a batch whose images hold more than <see cref="LimitsOptions.MaxBatchPixels"/> pixels
    /// in all, read from their headers before anything is decoded: one request may not buy dozens of
    /// full-size decodes. An image that cannot be identified is refused as it would be when decoded.
    /// </summary>
    private void CheckBatchPixels(IReadOnlyList<PredictInput> items)
    {
        long total = 0;
        for (int i = 0; i < items.Count; i++)
        {
            if (items[i] is EncodedImageInput image)
            {
                try
                {
                    var (width, height) = preparer.Identify(image.Bytes);
                    total += (long)width * height;
                }
                catch (DigitPreparationException ex)
                {
                    throw ImageProblems.From(ex, $"images[{i}]");
                }
            }
            else
            {
                total += MnistLayout.Pixels;
            }
            if (total > _limits.MaxBatchPixels)
                throw ImageProblems.BatchTooManyPixels(_limits.MaxBatchPixels);
        }
    }

    /// <summary>
    /// Whether <paramref name="input"/> is a large image (<see cref="LimitsOptions.LargeImageBytes"/>,
    /// <see cref="LimitsOptions.LargeImagePixels"/>), told from its size and its header alone. A
    /// image that cannot be identified is not: decoding it fails at once.
    /// </summary>
    public bool IsLarge(PredictInput input)
    {
        if (input is not EncodedImageInput image) return false;
        if (image.Bytes.Length > _limits.LargeImageBytes) return true;
        try
        {
            var (width, height) = preparer.Identify(image.Bytes);
            return (long)width * height > _limits.LargeImagePixels;
        }
        catch (DigitPreparationException)
        {
            return false;
        }
    }

    // application/octet-stream: the caller leaves the format to us, and the decoder tells it from the bytes
    private static bool IsImageBody(string? mediaType) =>
        ImageFormats.IsSupportedMediaType(mediaType) || string.Equals(mediaType, "application/octet-stream", StringComparison.OrdinalIgnoreCase);

    // every byte kept counts against the body budget of BodySlots, which the request took a slot of when it was admitted
    private Task<byte[]> ReadBodyAsync(HttpRequest request, BodySlots.Slot slot, CancellationToken cancellationToken) =>
        BoundedBody.ReadAsync(request, _limits.MaxRequestBodyBytes, cancellationToken, slot.Charge);

    /// <summary>The files in <paramref name="field"/>: all of them for a batch, else the first.</summary>
    private async Task<List<PredictInput>> ReadMultipartFilesAsync(HttpRequest request, BodySlots.Slot slot, string field, bool batch, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
            throw ImageProblems.Malformed("The multipart/form-data body has no boundary; let your HTTP client build the form.");
        var body = await ReadBodyAsync(request, slot, cancellationToken);
        var reader = new MultipartReader(boundary, new MemoryStream(body, writable: false)) { HeadersCountLimit = 16, HeadersLengthLimit = 8 * 1024 };
        var files = new List<PredictInput>();
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.DispositionType.Equals("form-data")
                    || !string.Equals(HeaderUtilities.RemoveQuotes(disposition.Name).Value, field, StringComparison.Ordinal))
                    continue;
                var partType = section.ContentType is null ? null : JsonBody.MediaTypeOf(section.ContentType);
                if (partType is not null && !IsImageBody(partType))
                    throw ImageProblems.UnsupportedImage(section.ContentType);
                if (!batch && files.Count == 1) break;
                if (files.Count == _limits.MaxBatchImages) throw TooManyImages();
                using var data = new MemoryStream();
                await section.Body.CopyToAsync(data, cancellationToken);
                if (data.Length == 0) throw ImageProblems.Malformed($"The file in the field '{field}' is empty; send an image.");
                files.Add(new EncodedImageInput(data.ToArray()));
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException)
        {
            throw ImageProblems.Malformed("The multipart/form-data body is malformed; let your HTTP client build the form.", ex.Message);
        }
        return files;
    }

    /// <summary>The image of a JSON object that holds exactly one of 'image' (a data URL) and 'pixels' (784 numbers), read as /api/predict reads it.</summary>
    public static PredictInput ReadImage(JsonElement item, string where) => ReadJsonItem(item, where);

    /// <summary>One JSON item: a data URL or base64 string, or an object with exactly one of 'image' and 'pixels'.</summary>
    private static PredictInput ReadJsonItem(JsonElement item, string where)
    {
        if (item.ValueKind == JsonValueKind.String) return ReadDataUrl(item.GetString()!, where);
        if (item.ValueKind != JsonValueKind.Object)
            throw ImageProblems.Malformed($"{where} must be an object {{\"image\": ...}} or {{\"pixels\": [...]}}.");
        bool hasImage = item.TryGetProperty("image", out var image);
        bool hasPixels = item.TryGetProperty("pixels", out var pixels);
        if (hasImage == hasPixels)
            throw ImageProblems.Malformed($"{where} needs exactly one of 'image' (a data URL) and 'pixels' (784 numbers).");
        if (hasImage)
        {
            return image.ValueKind == JsonValueKind.String
                ? ReadDataUrl(image.GetString()!, where)
                : throw ImageProblems.Malformed($"{where}: 'image' must be a string such as \"data:image/png;base64,...\".");
        }
        return ReadPixels(pixels, where);
    }

    private static PixelsInput ReadPixels(JsonElement pixels, string where)
    {
        string title = $"{where}: 'pixels' must be an array of {MnistLayout.Pixels} numbers from 0 to 255 (28x28, row-major, 0 = background).";
        if (pixels.ValueKind != JsonValueKind.Array || pixels.GetArrayLength() != MnistLayout.Pixels)
            throw ImageProblems.Malformed(title);
        var values = new float[MnistLayout.Pixels];
        int i = 0;
        foreach (var v in pixels.EnumerateArray())
        {
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var d) || d is < 0 or > 255)
                throw ImageProblems.Malformed(title, $"item {i} is {v.GetRawText()}");
            values[i++] = (float)d;
        }
        return new PixelsInput(values);
    }

    /// <summary>Decodes "data:image/png;base64,...", or plain base64.</summary>
    private static EncodedImageInput ReadDataUrl(string text, string where)
    {
        var payload = text.AsSpan().Trim();
        if (payload.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            int comma = payload.IndexOf(',');
            if (comma < 0) throw ImageProblems.Malformed($"{where}: the data URL has no ','; send \"data:image/png;base64,...\".");
            var header = payload[5..comma];
            payload = payload[(comma + 1)..];
            if (!header.EndsWith(";base64", StringComparison.OrdinalIgnoreCase))
                throw ImageProblems.Malformed($"{where}: the data URL must be base64 (\"data:image/png;base64,...\").");
            var mediaType = header[..^";base64".Length].ToString();
            if (mediaType.Length > 0 && !IsImageBody(mediaType.Split(';')[0]))
                throw ImageProblems.UnsupportedImage(mediaType);
        }
        var bytes = new byte[payload.Length / 4 * 3 + 3];
        if (!Convert.TryFromBase64Chars(payload, bytes, out int written))
            throw ImageProblems.Malformed($"{where} is not valid base64; send \"data:image/png;base64,...\".");
        return written == 0 ? throw ImageProblems.Malformed($"{where} is empty; send an image.") : new EncodedImageInput(bytes[..written]);
    }

    private ApiProblem TooManyImages() =>
        ImageProblems.Malformed($"The batch holds more than {_limits.MaxBatchImages} images; split it into several requests.");
}
