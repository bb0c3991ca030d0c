using System.Net.Http.Headers;

namespace LeNet5.Web.Tests.Support;

/// <summary>Request bodies for the API tests.</summary>
public static class Bodies
{
    /// <summary>Bytes sent as they are, with this Content-Type (none when null).</summary>
    public static ByteArrayContent Raw(byte[] bytes, string? mediaType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = mediaType is null ? null : new MediaTypeHeaderValue(mediaType);
        return content;
    }
}
