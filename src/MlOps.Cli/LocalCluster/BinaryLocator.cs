namespace MlOps.Cli.LocalCluster;

/// <summary>
/// Finds the coordinator or agent for <c>mlops up</c>, in this order: the <c>--*-path</c> option, the
/// <c>MLOPS_*_PATH</c> variable (either may name the file or its folder, and must exist), the folder of the
/// mlops binary, then the repository's build layout (<c>UseArtifactsOutput</c>):
/// <c>artifacts/bin/MlOps.Cli/&lt;config&gt;/mlops.dll</c> has its siblings at
/// <c>artifacts/bin/MlOps.Coordinator/&lt;config&gt;/MlOps.Coordinator.dll</c>.
/// </summary>
internal static class BinaryLocator
{
    public static string Locate(ClusterBinary binary, string? optionValue, CliEnvironment environment)
    {
        if (!string.IsNullOrWhiteSpace(optionValue))
        {
            return Explicit(binary, optionValue, binary.OptionName);
        }

        if (environment.GetVariable(binary.Variable) is { Length: > 0 } fromVariable)
        {
            return Explicit(binary, fromVariable, "$" + binary.Variable);
        }

        var candidates = Candidates(binary, environment.BaseDirectory);
        foreach (var candidate in candidates)
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new CliException(ExitCodes.Error, $"cannot find the {binary.Role} ({binary.FileName})")
        {
            Details =
            [
                $"{binary.OptionName}: not given; ${binary.Variable}: not set",
                .. candidates.Select(c => "not found: " + c),
                $"build it from the repository root with: {BuildCommand(binary, environment.BaseDirectory)}",
                $"or point to it with {binary.OptionName} PATH or {binary.Variable}=PATH",
            ],
        };
    }

    /// <summary>The folders searched when neither the option nor the variable is set, in order.</summary>
    public static IReadOnlyList<string> Candidates(ClusterBinary binary, string baseDirectory)
    {
        var own = new DirectoryInfo(Path.TrimEndingDirectorySeparator(Path.GetFullPath(baseDirectory)));
        var candidates = new List<string> { Path.Combine(own.FullName, binary.FileName) };
        if (own.Parent?.Parent is { } binRoot)
        {
            candidates.Add(Path.Combine(binRoot.FullName, binary.Project, own.Name, binary.FileName));
        }

        return candidates;
    }

    private static string Explicit(ClusterBinary binary, string value, string source)
    {
        var path = Path.GetFullPath(value);
        if (Directory.Exists(path))
        {
            path = Path.Combine(path, binary.FileName);
        }

        return File.Exists(path)
            ? path
            : throw new CliException(ExitCodes.Usage, $"{source} names {path}, which does not exist (the {binary.Role} is {binary.FileName})");
    }

    /// <summary><c>dotnet build src/MlOps.Coordinator</c>, with <c>-c Release</c> when mlops itself is a release build.</summary>
    private static string BuildCommand(ClusterBinary binary, string baseDirectory)
    {
        var config = new DirectoryInfo(Path.TrimEndingDirectorySeparator(Path.GetFullPath(baseDirectory))).Name;
        var release = config.StartsWith("release", StringComparison.OrdinalIgnoreCase);
        return $"dotnet build src/{binary.Project}" + (release ? " -c Release" : "");
    }
}
