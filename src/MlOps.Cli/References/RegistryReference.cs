using System.Globalization;
using System.Text.RegularExpressions;
using MlOps.Artifacts.Naming;
using MlOps.Core.Digests;

namespace MlOps.Cli.References;

/// <summary>
/// A model version named by number (<c>NAME:VERSION</c>), by alias (<c>NAME@ALIAS</c>) or, where allowed, just by
/// name (<c>NAME</c>: the newest version; version 0 and no alias, which is what <c>GetModelVersion</c> takes for it).
/// </summary>
internal sealed record ModelReference(string Name, int Version, string Alias)
{
    public bool IsAlias => Alias.Length > 0;

    public bool IsNewest => Version == 0 && !IsAlias;

    public override string ToString() =>
        IsAlias ? $"{Name}@{Alias}" : IsNewest ? Name : $"{Name}:{Version.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>
/// A dataset version: <c>NAME@N</c>, <c>NAME</c> (the newest version) or a manifest digest <c>sha256:HEX</c>.
/// <see cref="ToString"/> is the reference the coordinator's <c>GetDatasetVersion</c> takes.
/// </summary>
internal sealed record DatasetReference(string Name, int Version, string Digest)
{
    public override string ToString() =>
        Digest.Length > 0 ? Digest : Version > 0 ? $"{Name}@{Version.ToString(CultureInfo.InvariantCulture)}" : Name;
}

/// <summary>
/// Parses the registry's reference syntax on the client, so a malformed reference is exit 2 with a message that
/// says what was expected, before anything is sent. Names (models, datasets, aliases) follow the job spec's name
/// rule: 1-63 of <c>[a-z0-9._-]</c>, starting with a letter or digit, which also keeps them safe as artifact
/// repository path components (no <c>/</c>, no <c>..</c>). Aliases must start with a letter, so <c>NAME@3</c>
/// can never mean both "alias 3" and "version 3".
/// </summary>
internal static partial class RegistryReference
{
    public const string NameRule =
        "1-63 characters of lowercase letters, digits, '.', '_' or '-', starting and ending with a letter or digit";

    public const string AliasRule = "1-63 characters of lowercase letters, digits, '.', '_' or '-', starting with a letter";

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[a-z][a-z0-9._-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex AliasPattern();

    /// <summary>The name rule, and the OCI repository-component rule the name must also meet as <c>datasets/NAME</c>
    /// or <c>models/NAME</c> (no separator at the end, none doubled except <c>__</c>).</summary>
    public static bool IsValidName(string name) => NamePattern().IsMatch(name) && ArtifactNames.RepositoryProblem(name) is null;

    /// <summary>Checks a model or dataset name; <paramref name="what"/> says which, for the message.</summary>
    public static string Name(string name, string what) =>
        IsValidName(name) ? name : throw Usage($"invalid {what} name '{name}': must be {NameRule}");

    public static string Alias(string alias) =>
        AliasPattern().IsMatch(alias) ? alias : throw Usage($"invalid alias '{alias}': must be {AliasRule}");

    /// <summary>A version number: a positive integer without sign or leading zeros.</summary>
    public static int Version(string version, string context) =>
        TryVersion(version, out var number)
            ? number
            : throw Usage($"invalid version '{version}' in '{context}': must be a positive whole number");

    /// <summary><c>NAME:VERSION</c> or <c>NAME@ALIAS</c>, and with <paramref name="allowNewest"/> a bare <c>NAME</c>.</summary>
    public static ModelReference Model(string reference, bool allowNewest = false)
    {
        var expected = allowNewest ? "NAME:VERSION, NAME@ALIAS or NAME" : "NAME:VERSION or NAME@ALIAS";
        var colon = reference.IndexOf(':', StringComparison.Ordinal);
        var at = reference.IndexOf('@', StringComparison.Ordinal);
        if (colon < 0 && at < 0 && allowNewest && IsValidName(reference))
        {
            return new ModelReference(reference, 0, "");
        }

        if (colon >= 0 && at < 0)
        {
            var name = ModelName(reference[..colon], reference, expected);
            return new ModelReference(name, Version(reference[(colon + 1)..], reference), "");
        }

        if (at >= 0 && colon < 0)
        {
            var name = ModelName(reference[..at], reference, expected);
            var alias = reference[(at + 1)..];
            if (TryVersion(alias, out var version))
            {
                throw Usage($"invalid model reference '{reference}': '@' takes an alias; for version {version.ToString(CultureInfo.InvariantCulture)} write {name}:{alias}");
            }

            return new ModelReference(name, 0, Alias(alias));
        }

        throw Usage($"invalid model reference '{reference}': expected {expected} (e.g. fashion-mlp:3 or fashion-mlp@production)");
    }

    /// <summary><c>NAME@N</c>, <c>NAME</c> or <c>sha256:HEX</c>.</summary>
    public static DatasetReference Dataset(string reference)
    {
        if (reference.StartsWith(Sha256Digest.Prefix, StringComparison.Ordinal))
        {
            return Sha256Digest.IsValid(reference)
                ? new DatasetReference("", 0, reference)
                : throw Usage($"invalid dataset digest '{reference}': expected sha256: and 64 lowercase hex digits");
        }

        var at = reference.IndexOf('@', StringComparison.Ordinal);
        if (at < 0)
        {
            return new DatasetReference(DatasetName(reference, reference), 0, "");
        }

        var name = DatasetName(reference[..at], reference);
        return new DatasetReference(name, Version(reference[(at + 1)..], reference), "");
    }

    private static string ModelName(string name, string reference, string expected) =>
        IsValidName(name) ? name : throw Usage($"invalid model reference '{reference}': expected {expected}, where NAME is {NameRule}");

    private static string DatasetName(string name, string reference) =>
        IsValidName(name)
            ? name
            : throw Usage($"invalid dataset reference '{reference}': expected NAME@VERSION, NAME or sha256:DIGEST, where NAME is {NameRule}");

    private static bool TryVersion(string text, out int version)
    {
        version = 0;
        return text.Length is > 0 and <= 9 && text[0] is >= '1' and <= '9' && text.All(char.IsAsciiDigit) &&
               int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out version);
    }

    private static CliException Usage(string message) => new(ExitCodes.Usage, message);
}
