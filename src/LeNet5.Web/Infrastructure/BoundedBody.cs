using System.Buffers;
using Microsoft.AspNetCore.Http.Features;

namespace LeNet5.Web.Infrastructure;

/// <summary>A request body read into memory up to a limit and no further.</summary>
public static class BoundedBody
{
    private const int InitialBytes = 16 * 1024;

    /// <summary>
    /// The whole body; a body over <paramref name="limit"/> bytes is refused (413) without being read
    /// further. <paramref name="charge"/>, when given, is told of every chunk as it arrives, before it
    /// is kept (and may refuse it by throwing).
    /// </summary>
    public static async Task<byte[]> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken, Action<int>? charge = null)
    {
        if (request.ContentLength > limit) throw Problems.BodyTooLarge(limit);
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = limit;
        // the buffer grows as data arrives: a declared Content-Length is a promise, not a reason to allocate
        var buffer = new ArrayBufferWriter<byte>((int)Math.Min(request.ContentLength is > 0 and var n ? n : InitialBytes, InitialBytes));
        try
        {
            while (true)
            {
                int read = await request.Body.ReadAsync(buffer.GetMemory(16 * 1024), cancellationToken);
                if (read == 0) break;
                charge?.Invoke(read);
                buffer.Advance(read);
                if (buffer.WrittenCount > limit) throw Problems.BodyTooLarge(limit);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw Problems.BodyTooLarge(limit);
        }
        return buffer.WrittenSpan.ToArray();
    }
}
