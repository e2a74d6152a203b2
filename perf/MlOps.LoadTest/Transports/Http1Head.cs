using System.Buffers.Text;
using System.Text;

namespace MlOps.LoadTest.Transports;

/// <summary>
/// Parses what the load generator needs from an HTTP/1.1 response head and chunk-size lines, straight from the bytes
/// (no strings per response: this runs once per request on the generator's hot path).
/// </summary>
internal static class Http1Head
{
    /// <summary>
    /// The status code, the Content-Length (-1 when absent; 0 for statuses without a body), whether the body is
    /// chunked, and whether the server will close the connection. <paramref name="head"/> excludes the blank line.
    /// </summary>
    /// <exception cref="IOException">Not an HTTP/1.x status line, or a bad Content-Length.</exception>
    public static (int Status, long ContentLength, bool Chunked, bool Close) Parse(ReadOnlySpan<byte> head)
    {
        var lineEnd = head.IndexOf("\r\n"u8);
        var status = lineEnd < 0 ? head : head[..lineEnd];
        if (status.Length < 12 || !status.StartsWith("HTTP/1."u8) || status[8] != (byte)' ' ||
            !Utf8Parser.TryParse(status.Slice(9, 3), out int code, out var used) || used != 3)
        {
            throw new IOException($"not an HTTP/1.1 status line: '{Shorten(status)}'");
        }

        long length = -1;
        var chunked = false;
        var close = status[7] == (byte)'0';
        var rest = lineEnd < 0 ? [] : head[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf("\r\n"u8);
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon].Trim((byte)' ');
            var value = line[(colon + 1)..].Trim((byte)' ');
            if (Ascii.EqualsIgnoreCase(name, "content-length"u8))
            {
                length = Utf8Parser.TryParse(value, out long parsed, out var consumed) && consumed == value.Length && parsed >= 0
                    ? parsed
                    : throw new IOException($"bad Content-Length '{Shorten(value)}'");
            }
            else if (Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8))
            {
                chunked = value.Length >= 7 && Ascii.EqualsIgnoreCase(value[^7..], "chunked"u8);
            }
            else if (Ascii.EqualsIgnoreCase(name, "connection"u8))
            {
                close = Ascii.EqualsIgnoreCase(value, "close"u8) || (close && !Ascii.EqualsIgnoreCase(value, "keep-alive"u8));
            }
        }

        if (code is 204 or 304 || code < 200)
        {
            length = 0;
            chunked = false;
        }

        return (code, chunked ? -1 : length, chunked, close);
    }

    /// <summary>The size on a chunk-size line (hex, extensions after ';' ignored).</summary>
    /// <exception cref="IOException">Not a hex size.</exception>
    public static long ChunkSize(ReadOnlySpan<byte> line)
    {
        var semicolon = line.IndexOf((byte)';');
        var hex = (semicolon < 0 ? line : line[..semicolon]).Trim((byte)' ');
        return Utf8Parser.TryParse(hex, out long size, out var consumed, 'x') && consumed == hex.Length && consumed > 0
            ? size
            : throw new IOException($"bad chunk size '{Shorten(line)}'");
    }

    private static string Shorten(ReadOnlySpan<byte> text)
    {
        var s = Encoding.ASCII.GetString(text[..Math.Min(text.Length, 80)]);
        return text.Length > 80 ? s + "…" : s;
    }
}
