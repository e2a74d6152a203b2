using Microsoft.Extensions.Options;
using MlOps.Artifacts.Configuration;

namespace MlOps.Coordinator.Configuration;

/// <summary>
/// The coordinator's default for the <c>Artifacts</c> section: an OCI image layout at
/// <c>&lt;Coordinator:DataDirectory&gt;/artifacts</c> when no path (and no registry) is configured.
/// </summary>
internal sealed class ArtifactStoreOptionsSetup(IOptions<CoordinatorOptions> coordinator) : IPostConfigureOptions<ArtifactStoreOptions>
{
    public void PostConfigure(string? name, ArtifactStoreOptions options)
    {
        if (options.Kind == ArtifactStoreOptions.LayoutKind && string.IsNullOrWhiteSpace(options.Path) &&
            !string.IsNullOrWhiteSpace(coordinator.Value.DataDirectory))
        {
            options.Path = Path.Combine(coordinator.Value.DataDirectory, "artifacts");
        }
    }
}

/// <summary>Checks the artifact store settings at start-up: the library's own rules, and an absolute layout path.</summary>
internal sealed class ArtifactStoreOptionsValidator : IValidateOptions<ArtifactStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, ArtifactStoreOptions options)
    {
        var errors = new List<string>(options.Validate());
        if (options.Kind == ArtifactStoreOptions.LayoutKind && !string.IsNullOrWhiteSpace(options.Path) && !Path.IsPathFullyQualified(options.Path))
        {
            errors.Add($"{ArtifactStoreOptions.SectionName}:Path must be an absolute path, got '{options.Path}'");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
