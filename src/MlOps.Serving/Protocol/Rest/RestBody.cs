using System.Globalization;
using System.IO.Compression;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace MlOps.Serving.Protocol.Rest;

/// <summary>
/// Reads a REST request body within <see cref="OpenInferenceOptions.MaxMessageBytes"/> (after gzip/deflate
/// decompression, which tritonclient can send) and splits it into the JSON header and the binary tensor data.
/// </summary>
internal static class RestBody
{
    /// <exception cref="RestRequestException">413 when the body is over the limit, 415 for an unknown Content-Encoding.</exception>
    public static async Task<byte[]> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes;
        }

        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        var encoding = request.Headers.ContentEncoding.ToString().Trim().ToLowerInvariant();
        if (encoding is "" or "identity")
        {
            return await ReadAllAsync(request.Body, (int)Math.Min(request.ContentLength ?? 64 * 1024, maxBytes), maxBytes, cancellationToken);
        }

        await using Stream decompressed = encoding switch
        {
            "gzip" => new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true),
            "deflate" => new ZLibStream(request.Body, CompressionMode.Decompress, leaveOpen: true),
            _ => throw new RestRequestException(
                StatusCodes.Status415UnsupportedMediaType, $"Content-Encoding '{encoding}' is not supported (use gzip or deflate)"),
        };
        try
        {
            return await ReadAllAsync(decompressed, 64 * 1024, maxBytes, cancellationToken);
        }
        catch (InvalidDataException e)
        {
            throw Tensors.TensorLayout.Invalid($"request body is not valid {encoding} data: {e.Message}");
        }
    }

    private static async Task<byte[]> ReadAllAsync(Stream body, int initialBytes, int maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[Math.Max(initialBytes, 1)];
        var used = 0;
        while (true)
        {
            if (used == buffer.Length)
            {
                if (buffer.Length >= maxBytes)
                {
                    // Full at the limit: one more byte means the body is too large.
                    if (await body.ReadAsync(new byte[1], cancellationToken) > 0)
                    {
                        throw TooLarge(maxBytes);
                    }

                    return buffer;
                }

                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, maxBytes));
            }

            var read = await body.ReadAsync(buffer.AsMemory(used), cancellationToken);
            if (read == 0)
            {
                return used == buffer.Length ? buffer : buffer[..used];
            }

            used += read;
        }
    }

    /// <summary>
    /// The JSON length from <c>Inference-Header-Content-Length</c>, or null when the header is absent (the whole
    /// body is JSON).
    /// </summary>
    /// <exception cref="Models.InferenceException">InvalidArgument when the header is not a byte count within the body.</exception>
    public static int? HeaderLength(HttpRequest request, int bodyLength)
    {
        if (!request.Headers.TryGetValue(RestResult.HeaderLengthHeader, out var values))
        {
            return null;
        }

        var text = values.ToString();
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
        {
            throw Tensors.TensorLayout.Invalid($"{RestResult.HeaderLengthHeader} '{text}' is not a byte count");
        }

        if (length > bodyLength)
        {
            throw Tensors.TensorLayout.Invalid(
                $"{RestResult.HeaderLengthHeader} {length} is larger than the {bodyLength}-byte body (truncated request?)");
        }

        return length;
    }

    /// <summary>
    /// Parses a JSON header. Invalid UTF-8 and <c>\u</c> escapes of lone UTF-16 surrogates are refused up front: the
    /// parser accepts both inside strings and names and only fails later, when one is read (found by fuzzing: an
    /// <see cref="InvalidOperationException"/> that became a 500).
    /// </summary>
    /// <exception cref="Models.InferenceException">InvalidArgument for text that is not UTF-8 or escapes a lone surrogate.</exception>
    /// <exception cref="System.Text.Json.JsonException">For text that is not JSON.</exception>
    public static System.Text.Json.JsonDocument ParseJson(ReadOnlyMemory<byte> json)
    {
        if (!System.Text.Unicode.Utf8.IsValid(json.Span))
        {
            throw Tensors.TensorLayout.Invalid("the request JSON is not valid UTF-8");
        }

        if (json.Span.IndexOf("\\u"u8) >= 0)
        {
            CheckEscapes(json.Span);
        }

        return System.Text.Json.JsonDocument.Parse(json);
    }

    /// <summary>Decodes every escaped string and name once; only documents that contain <c>\u</c> pay for it.</summary>
    private static void CheckEscapes(ReadOnlySpan<byte> json)
    {
        var reader = new System.Text.Json.Utf8JsonReader(json);
        while (reader.Read())
        {
            if (reader.TokenType is System.Text.Json.JsonTokenType.String or System.Text.Json.JsonTokenType.PropertyName && reader.ValueIsEscaped)
            {
                try
                {
                    _ = reader.GetString();
                }
                catch (InvalidOperationException)
                {
                    throw Tensors.TensorLayout.Invalid(
                        $"the request JSON has an invalid \\u escape (a lone UTF-16 surrogate) in a string or name at byte {reader.TokenStartIndex}");
                }
            }
        }
    }

    private static RestRequestException TooLarge(int maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, $"request body is larger than the {maxBytes}-byte limit");
}
