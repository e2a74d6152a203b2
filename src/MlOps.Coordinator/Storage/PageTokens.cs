using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace MlOps.Coordinator.Storage;

/// <summary>A page token that the store did not issue, or that has been tampered with.</summary>
public sealed class InvalidPageTokenException(string token)
    : Exception($"page token '{token}' is not valid; pass the next_page_token of a previous response, or nothing")
{
    public string Token { get; } = token;
}

/// <summary>
/// Opaque page tokens for job listings: base64url of a version tag and the submission sequence number to
/// continue below. Clients must treat them as opaque; the format may change with the tag.
/// </summary>
internal static class PageTokens
{
    private const string Tag = "jobs.v1:";

    public static string Encode(long beforeCreatedSeq) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Tag + beforeCreatedSeq.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Returns null for an empty token (the first page).</summary>
    public static long? Decode(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
            if (text.StartsWith(Tag, StringComparison.Ordinal) &&
                long.TryParse(text.AsSpan(Tag.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var seq) && seq > 0)
            {
                return seq;
            }
        }
        catch (FormatException)
        {
            // Falls through to the typed exception below.
        }

        throw new InvalidPageTokenException(token);
    }
}
