namespace MlOps.Cli.LocalCluster;

/// <summary>A program and its arguments, as <c>mlops up</c> starts it.</summary>
internal sealed record ChildCommand(string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>A <c>.dll</c> runs on the dotnet host that runs mlops; anything else is started directly.</summary>
    public static ChildCommand For(string binary, IReadOnlyList<string> arguments, string? processPath) =>
        binary.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            ? new ChildCommand(DotnetHost(processPath), [binary, .. arguments])
            : new ChildCommand(binary, arguments);

    /// <summary>The running host when it is <c>dotnet</c> (mlops started as <c>dotnet mlops.dll</c>), else <c>dotnet</c> from PATH.</summary>
    public static string DotnetHost(string? processPath) =>
        processPath is not null && string.Equals(Path.GetFileNameWithoutExtension(processPath), "dotnet", StringComparison.OrdinalIgnoreCase)
            ? processPath
            : "dotnet";

    /// <summary>
    /// Wraps the command in <c>setsid</c> (Linux) so the child has its own session: Ctrl-C in the terminal then
    /// reaches only mlops, which stops the agent before the coordinator instead of both at once.
    /// </summary>
    public ChildCommand InOwnSession(string? setsid) => setsid is null ? this : new ChildCommand(setsid, [FileName, .. Arguments]);

    /// <summary><c>setsid</c> from PATH on Linux; null elsewhere or when missing (the children then share our signals).</summary>
    public static string? FindSetsid(CliEnvironment environment)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var path = environment.GetVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "setsid"))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>The command line as a shell would show it, for the startup message.</summary>
    public override string ToString() => string.Join(' ', new[] { FileName }.Concat(Arguments).Select(Quote));

    private static string Quote(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=@,+".Contains(c, StringComparison.Ordinal))
            ? value
            : "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
