using System.Net;
using System.Text.Json;

namespace MlOps.Artifacts.Registry;

/// <summary>
/// Turns a registry's failure answer into the store's exceptions. The OCI error body
/// (<c>{"errors":[{"code","message","detail"}]}</c>) goes into the message, so "MANIFEST_BLOB_UNKNOWN: blob unknown
/// to registry (sha256:...)" reaches the user rather than a bare status code.
/// </summary>
internal static class RegistryErrors
{
    private const int MaxBodyInMessage = 500;

    /// <summary>Registry error codes that mean "a blob the request relies on is missing".</summary>
    private static readonly HashSet<string> MissingBlobCodes = new(StringComparer.Ordinal) { "BLOB_UNKNOWN", "MANIFEST_BLOB_UNKNOWN" };

    public static ArtifactException ToException(HttpStatusCode status, string body, string what, Uri registry, RegistryAuthenticator auth)
    {
        var summary = Summarize(body);
        var message = $"{what}: registry {registry} answered {(int)status} {status}: {summary}";
        return status switch
        {
            HttpStatusCode.Unauthorized => new ArtifactAuthenticationException($"{what}: registry {registry} refused {auth.Who()} (401): {summary}"),
            HttpStatusCode.Forbidden => new ArtifactAuthenticationException($"{what}: registry {registry} denied access to {auth.Who()} (403): {summary}"),
            HttpStatusCode.NotFound => new ArtifactNotFoundException(message),
            HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout => new ArtifactStoreUnavailableException(message),
            >= HttpStatusCode.InternalServerError => new ArtifactStoreUnavailableException(message),
            _ when Codes(body).Any(MissingBlobCodes.Contains) => new ArtifactNotFoundException(message),
            _ => new ArtifactInvalidException(message),
        };
    }

    /// <summary>"CODE: message (detail)" for each error of an OCI error body; the raw text (shortened) otherwise.</summary>
    public static string Summarize(string body)
    {
        var errors = Parse(body);
        if (errors.Count > 0)
        {
            return string.Join("; ", errors.Select(e => e.Detail is null ? $"{e.Code}: {e.Message}" : $"{e.Code}: {e.Message} ({e.Detail})"));
        }

        var text = body.Trim();
        return text.Length == 0 ? "(empty body)" : text.Length > MaxBodyInMessage ? text[..MaxBodyInMessage] + "..." : text;
    }

    public static IEnumerable<string> Codes(string body) => Parse(body).Select(e => e.Code);

    private static List<(string Code, string Message, string? Detail)> Parse(string body)
    {
        var errors = new List<(string, string, string?)>();
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object &&
                document.RootElement.TryGetProperty("errors", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var error in list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object))
                {
                    var code = error.TryGetProperty("code", out var c) ? c.ToString() : "UNKNOWN";
                    var message = error.TryGetProperty("message", out var m) ? m.ToString() : string.Empty;
                    var detail = error.TryGetProperty("detail", out var d) && d.ValueKind != JsonValueKind.Null ? Shorten(d.GetRawText()) : null;
                    errors.Add((code, message, detail));
                }
            }
        }
        catch (JsonException)
        {
        }

        return errors;
    }

    private static string Shorten(string text) => text.Length > MaxBodyInMessage ? text[..MaxBodyInMessage] + "..." : text;
}
