namespace MlOps.Cli.Client;

/// <summary>
/// Finds the API token the CLI sends (<c>authorization: Bearer TOKEN</c>), in this order: <c>--token-file FILE</c>,
/// <c>$MLOPS_TOKEN</c> (the token itself), <c>$MLOPS_TOKEN_FILE</c>, then <c>$XDG_CONFIG_HOME/mlops/token</c>
/// (<c>~/.config/mlops/token</c>) when that file exists. The token is never printed: messages name the file or the
/// variable it came from. A token file that group or others may read earns a warning on stderr.
/// </summary>
internal static class ApiTokenSource
{
    public const string TokenVariable = "MLOPS_TOKEN";

    public const string TokenFileVariable = "MLOPS_TOKEN_FILE";

    private const UnixFileMode ReadableByOthers = UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>The token to send, or null when none is configured anywhere.</summary>
    /// <param name="tokenFile">The value of <c>--token-file</c>, or null.</param>
    /// <param name="environment">Variables, the home directory, and stderr for the warning.</param>
    public static string? Resolve(string? tokenFile, CliEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!string.IsNullOrWhiteSpace(tokenFile))
        {
            return Read(tokenFile, "--token-file", environment);
        }

        if (environment.GetVariable(TokenVariable) is { Length: > 0 } token)
        {
            return Check(token.Trim(), "$" + TokenVariable);
        }

        if (environment.GetVariable(TokenFileVariable) is { Length: > 0 } fromVariable)
        {
            return Read(fromVariable, "$" + TokenFileVariable, environment);
        }

        var standard = DefaultPath(environment);
        return File.Exists(standard) ? Read(standard, "the default token file", environment) : null;
    }

    /// <summary>True when <see cref="Resolve"/> would find a token somewhere (without reading it).</summary>
    public static bool IsConfigured(string? tokenFile, CliEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return !string.IsNullOrWhiteSpace(tokenFile)
            || environment.GetVariable(TokenVariable) is { Length: > 0 }
            || environment.GetVariable(TokenFileVariable) is { Length: > 0 }
            || File.Exists(DefaultPath(environment));
    }

    /// <summary><c>$XDG_CONFIG_HOME/mlops/token</c>, or <c>~/.config/mlops/token</c> when XDG_CONFIG_HOME is not set.</summary>
    public static string DefaultPath(CliEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var xdg = environment.GetVariable("XDG_CONFIG_HOME");
        var root = string.IsNullOrWhiteSpace(xdg) || !Path.IsPathFullyQualified(xdg) ? Path.Combine(environment.HomeDirectory, ".config") : xdg;
        return Path.Combine(root, "mlops", "token");
    }

    private static string Read(string path, string source, CliEnvironment environment)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.Usage, $"cannot read the token file {path} ({source}): {ex.Message}");
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ReadableByOthers) != 0)
        {
            var mode = Convert.ToString((int)File.GetUnixFileMode(path), 8).PadLeft(4, '0');
            environment.Error.WriteLine($"warning: the token file {path} may be read by other users (mode {mode}); restrict it with 'chmod 600 {path}'");
        }

        return Check(text.Trim(), $"the token file {path}");
    }

    /// <summary>A header value is printable ASCII; a token is one word of it.</summary>
    private static string Check(string token, string source)
    {
        if (token.Length == 0)
        {
            throw new CliException(ExitCodes.Usage, $"{source} is empty; expected an API token");
        }

        if (!token.All(c => c is > ' ' and <= '~'))
        {
            throw new CliException(ExitCodes.Usage, $"{source} does not hold a token: expected one word of printable ASCII characters");
        }

        return token;
    }
}
