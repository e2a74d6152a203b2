using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace MlOps.Serving.Protocol.Rest;

/// <summary>
/// A REST answer written as-is: a status, a content type and body segments (a JSON header followed by binary
/// tensors for the binary tensor extension, whose JSON length goes in <c>Inference-Header-Content-Length</c>).
/// </summary>
internal sealed class RestResult(int statusCode, string contentType, IReadOnlyList<ReadOnlyMemory<byte>> body, int? headerLength = null) : IResult
{
    /// <summary>Exactly <c>application/json</c>: the KServe client reads <c>{"error"}</c> only with that content type.</summary>
    public const string JsonContentType = "application/json";
    public const string BinaryContentType = "application/octet-stream";
    public const string HeaderLengthHeader = "Inference-Header-Content-Length";

    public int StatusCode => statusCode;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = statusCode;
        if (statusCode >= 400 && httpContext.Request.ContentLength != 0)
        {
            // An error may be answered before the request body was read to its end; Kestrel then closes the
            // connection, and a client that reused it would see "response ended prematurely". Say so up front.
            response.Headers.Connection = "close";
        }

        response.ContentLength = body.Sum(b => (long)b.Length);
        if (response.ContentLength > 0)
        {
            response.ContentType = contentType;
        }

        if (headerLength is { } length)
        {
            response.Headers[HeaderLengthHeader] = length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        foreach (var segment in body)
        {
            await response.Body.WriteAsync(segment, httpContext.RequestAborted);
        }
    }

    /// <summary>200 with no body, for load and unload (tritonclient accepts exactly 200).</summary>
    public static RestResult Ok() => new(StatusCodes.Status200OK, JsonContentType, []);

    public static RestResult Json(int statusCode, Action<Utf8JsonWriter> write) =>
        new(statusCode, JsonContentType, [WriteJson(write)]);

    /// <summary>The protocol's error body, <c>{"error": "..."}</c>.</summary>
    public static RestResult Error(int statusCode, string message) =>
        Json(statusCode, w =>
        {
            w.WriteStartObject();
            w.WriteString("error", message);
            w.WriteEndObject();
        });

    public static ReadOnlyMemory<byte> WriteJson(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.WrittenMemory;
    }
}
