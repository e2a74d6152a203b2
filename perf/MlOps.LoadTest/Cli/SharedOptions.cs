using System.CommandLine;
using System.Globalization;

namespace MlOps.LoadTest.Cli;

/// <summary>Options and value parsing more than one command uses.</summary>
internal static class SharedOptions
{
    public static Option<string> Output() =>
        new("--out", "-o") { Description = "Results directory (default perf/results/DATE-COMMIT or loadtest-results/DATE)", HelpName = "DIR" };

    public static Option<string> Commit() =>
        new("--commit") { Description = "Source commit recorded in the reports", HelpName = "SHA" };

    public static string DefaultOutput(string? commit)
    {
        var date = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return Path.Combine("loadtest-results", commit is null ? date : $"{date}-{commit}");
    }

    /// <exception cref="UsageException">Not an absolute http(s) URI.</exception>
    public static Uri? ParseUri(string? text, string option)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new UsageException($"{option}: '{text}' is not an http:// or https:// address");
    }

    /// <summary>Splits <c>NAME=VALUE</c>.</summary>
    /// <exception cref="UsageException">No '=' or an empty side.</exception>
    public static (string Name, string Value) Pair(string text, string option)
    {
        var at = text.IndexOf('=', StringComparison.Ordinal);
        return at > 0 && at < text.Length - 1
            ? (text[..at], text[(at + 1)..])
            : throw new UsageException($"{option}: '{text}' should be NAME=VALUE");
    }
}
