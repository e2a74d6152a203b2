using System.Text.RegularExpressions;
using MlOps.Core.Digests;

namespace MlOps.Artifacts.Naming;

/// <summary>
/// The OCI distribution naming rules for repositories, tags and references. Checked before any path or URL is
/// built from a name, so <c>../x</c> can never become a path outside a store.
/// </summary>
public static partial class ArtifactNames
{
    /// <summary>Registries limit a repository name to 255 characters (host name included); so do we.</summary>
    public const int MaxRepositoryLength = 255;

    /// <summary>Throws <see cref="ArgumentException"/> naming <paramref name="repository"/> unless it is a valid
    /// repository name: lowercase components of <c>[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*</c> joined by <c>/</c>.</summary>
    public static string ValidateRepository(string? repository, string parameterName = "repository")
    {
        var problem = RepositoryProblem(repository);
        return problem is null
            ? repository!
            : throw new ArgumentException($"repository name '{repository}' is invalid: {problem}", parameterName);
    }

    /// <summary>Why <paramref name="repository"/> is not a valid repository name, or null when it is.</summary>
    public static string? RepositoryProblem(string? repository)
    {
        if (string.IsNullOrEmpty(repository))
        {
            return "it is empty";
        }

        if (repository.Length > MaxRepositoryLength)
        {
            return $"it is longer than {MaxRepositoryLength} characters";
        }

        if (repository.StartsWith('/'))
        {
            return "it is an absolute path (it starts with '/')";
        }

        foreach (var component in repository.Split('/'))
        {
            if (component.Length == 0)
            {
                return "it has an empty path component ('//' or a trailing '/')";
            }

            if (component is "." or "..")
            {
                return $"path component '{component}' is not allowed";
            }

            if (!ComponentPattern().IsMatch(component))
            {
                return $"path component '{component}' must be lowercase letters and digits separated by '.', '_', '__' or '-'";
            }
        }

        return null;
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="tag"/> matches
    /// <c>[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}</c>.</summary>
    public static string ValidateTag(string? tag, string parameterName = "tag") =>
        tag is not null && TagPattern().IsMatch(tag)
            ? tag
            : throw new ArgumentException(
                $"tag '{tag}' is invalid: it must be 1-128 characters of letters, digits, '_', '.' and '-', not starting with '.' or '-'",
                parameterName);

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="digest"/> is <c>sha256:</c> and 64 lowercase
    /// hex digits (the only algorithm these stores use).</summary>
    public static string ValidateDigest(string? digest, string parameterName = "digest") =>
        Sha256Digest.IsValid(digest)
            ? digest!
            : throw new ArgumentException($"digest '{digest}' is invalid: expected 'sha256:' and 64 lowercase hex digits", parameterName);

    /// <summary>Throws unless <paramref name="reference"/> is a valid tag or digest; returns true when it is a digest.</summary>
    public static bool ValidateReference(string? reference, string parameterName = "reference")
    {
        if (reference is not null && reference.Contains(':', StringComparison.Ordinal))
        {
            ValidateDigest(reference, parameterName);
            return true;
        }

        ValidateTag(reference, parameterName);
        return false;
    }

    [GeneratedRegex("^[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*\\z", RegexOptions.CultureInvariant)]
    private static partial Regex ComponentPattern();

    [GeneratedRegex("^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex TagPattern();
}
