namespace MlOps.Cli.LocalCluster;

/// <summary>Where <c>mlops up</c> keeps state by default, following the XDG base directory convention.</summary>
internal static class DataDirectory
{
    public const string XdgDataHome = "XDG_DATA_HOME";

    /// <summary><c>$XDG_DATA_HOME/mlops</c> when that is set to an absolute path, else <c>~/.local/share/mlops</c>.</summary>
    public static string Default(CliEnvironment environment)
    {
        var xdg = environment.GetVariable(XdgDataHome);
        var root = !string.IsNullOrEmpty(xdg) && Path.IsPathFullyQualified(xdg)
            ? xdg
            : Path.Combine(environment.HomeDirectory, ".local", "share");
        return Path.Combine(root, "mlops");
    }

    /// <summary>The option's value made absolute (the coordinator refuses a relative data directory).</summary>
    public static string Resolve(string? option, CliEnvironment environment) =>
        Path.GetFullPath(string.IsNullOrWhiteSpace(option) ? Default(environment) : option);
}
