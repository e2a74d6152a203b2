using System.Text.RegularExpressions;

namespace MlOps.Coordinator.Registry;

/// <summary>
/// Names in the registry. Model and dataset names are also the last component of their artifact repository
/// (<c>models/&lt;name&gt;</c>, <c>datasets/&lt;name&gt;</c>), so they follow the job-name rule and the OCI component
/// rule at once; alias names start with a letter so they never look like a version number.
/// </summary>
internal static partial class RegistryNames
{
    public const string ModelRepositoryPrefix = "models/";
    public const string DatasetRepositoryPrefix = "datasets/";

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[a-z][a-z0-9._-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex AliasPattern();

    public static string ModelRepository(string model) => ModelRepositoryPrefix + model;

    public static string DatasetRepository(string dataset) => DatasetRepositoryPrefix + dataset;

    /// <summary>Null when <paramref name="name"/> is a valid model or dataset name, else what is wrong with it.</summary>
    public static string? NameProblem(string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "is required";
        }

        if (!NamePattern().IsMatch(name))
        {
            return $"'{name}' is not a name: 1-63 characters of lowercase letters, digits, '.', '_' or '-', starting with a letter or digit";
        }

        return MlOps.Artifacts.Naming.ArtifactNames.RepositoryProblem(name) is { } problem
            ? $"'{name}' cannot name an artifact repository: {problem}"
            : null;
    }

    /// <summary>Null when <paramref name="alias"/> is a valid alias, else what is wrong with it.</summary>
    public static string? AliasProblem(string alias) =>
        string.IsNullOrEmpty(alias) ? "is required, e.g. production"
        : AliasPattern().IsMatch(alias) ? null
        : $"'{alias}' is not an alias: 1-63 characters of lowercase letters, digits, '.', '_' or '-', starting with a letter";

    /// <summary>The store tag of a version number: <c>v1</c>, <c>v2</c>, ...</summary>
    public static string VersionTag(int version) => "v" + version.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
