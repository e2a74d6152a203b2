using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using MlOps.Core.Digests;

namespace MlOps.Pipelines.Specs;

/// <summary>Where a step's input comes from once parameters are substituted: another step's output or an
/// artifact named directly.</summary>
public abstract record InputReference
{
    private protected InputReference()
    {
    }
}

/// <summary><c>steps.STEP.outputs.OUTPUT</c>: an output of an earlier step (which makes it a dependency).</summary>
public sealed record StepOutputReference(string Step, string Output) : InputReference
{
    public const string Prefix = "steps.";

    public override string ToString() => $"steps.{Step}.outputs.{Output}";
}

/// <summary>
/// <c>TYPE:NAME[@VERSION]</c>, e.g. <c>dataset:fashion-mnist@3</c>, <c>model:fashion-mlp@production</c> or
/// <c>dataset:fashion-mnist@sha256:…</c>. TYPE is <c>dataset</c>, <c>model</c> or <c>artifact</c> (any repository of
/// the artifact store); NAME follows the OCI repository rules; VERSION is a version number, tag or alias, or a
/// digest; without it the newest version is meant. The runner resolves it to a digest before the step runs, so a
/// floating reference still gives an exact cache key.
/// </summary>
public sealed partial record ArtifactReference(string Type, string Name, string? Version) : InputReference
{
    /// <summary>The artifact types a reference may name.</summary>
    public static IReadOnlyList<string> Types { get; } = ["dataset", "model", "artifact"];

    /// <summary>True when <see cref="Version"/> is a digest, so the reference needs no lookup to be exact.</summary>
    public bool IsPinned => Version is not null && Sha256Digest.IsValid(Version);

    public override string ToString() => Version is null ? $"{Type}:{Name}" : $"{Type}:{Name}@{Version}";

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out ArtifactReference? reference, [NotNullWhen(false)] out string? error)
    {
        reference = null;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            error = $"'{text}' is not a reference: expected steps.STEP.outputs.NAME or TYPE:NAME[@VERSION] (TYPE: {string.Join(", ", Types)})";
            return false;
        }

        var type = text[..colon];
        if (!Types.Contains(type))
        {
            error = $"'{text}' names an unknown artifact type '{type}'; expected one of: {string.Join(", ", Types)}";
            return false;
        }

        var rest = text[(colon + 1)..];
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        var name = at < 0 ? rest : rest[..at];
        var version = at < 0 ? null : rest[(at + 1)..];
        if (name.Length is 0 or > 255 || !NamePattern().IsMatch(name))
        {
            error = $"'{text}' has an invalid name '{name}': lowercase components of letters and digits joined by '.', '_' or '-', separated by '/'";
            return false;
        }

        if (version is not null && !(TagPattern().IsMatch(version) || Sha256Digest.IsValid(version)))
        {
            error = $"'{text}' has an invalid version '{version}': a version, tag or alias ([A-Za-z0-9_][A-Za-z0-9._-]*, at most 128) or a sha256: digest";
            return false;
        }

        reference = new ArtifactReference(type, name, version);
        error = null;
        return true;
    }

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex TagPattern();
}
