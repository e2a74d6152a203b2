using MlOps.Contracts;
using MlOps.Core.Jobs;

namespace MlOps.Cli.Jobs;

/// <summary>
/// Reads a job spec file for <c>submit</c>: parse (every YAML error at once), fill in the owner, then run the
/// same validator as the coordinator so a bad spec is refused before it leaves the machine.
/// </summary>
internal static class SpecFile
{
    public static JobSpec Load(string path, string? owner, string localUser)
    {
        JobSpec spec;
        try
        {
            spec = JobSpecYaml.LoadFile(path);
        }
        catch (FileNotFoundException)
        {
            throw new CliException(ExitCodes.Usage, $"job spec file not found: {path}");
        }
        catch (SpecValidationException ex)
        {
            throw Invalid(path, ex.Errors);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.Usage, $"cannot read job spec {path}: {ex.Message}");
        }

        if (!string.IsNullOrWhiteSpace(owner))
        {
            spec.Owner = owner;
        }
        else if (string.IsNullOrEmpty(spec.Owner))
        {
            spec.Owner = localUser;
        }

        var errors = JobSpecValidator.Validate(spec);
        return errors.Count == 0 ? spec : throw Invalid(path, errors);
    }

    /// <summary>One line per error, each starting with its field, under a summary line.</summary>
    private static CliException Invalid(string path, IReadOnlyList<FieldError> errors) =>
        new(ExitCodes.Usage, $"invalid job spec {path} ({errors.Count} {(errors.Count == 1 ? "error" : "errors")}):")
        {
            Details = [.. errors.Select(e => e.ToString())],
        };
}
