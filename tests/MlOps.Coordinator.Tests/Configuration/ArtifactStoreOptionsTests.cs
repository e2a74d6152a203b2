using Microsoft.Extensions.Options;
using MlOps.Artifacts.Configuration;
using MlOps.Coordinator.Configuration;

namespace MlOps.Coordinator.Tests.Configuration;

/// <summary>The <c>Artifacts</c> section: the coordinator's default store path and start-up validation.</summary>
public sealed class ArtifactStoreOptionsTests
{
    [Fact]
    public void PostConfigure_NoPathOrRegistry_LayoutUnderTheDataDirectory()
    {
        var options = new ArtifactStoreOptions();

        new ArtifactStoreOptionsSetup(Options.Create(new CoordinatorOptions { DataDirectory = "/var/lib/mlops" })).PostConfigure(null, options);

        Assert.Equal("/var/lib/mlops/artifacts", options.Path);
        Assert.True(new ArtifactStoreOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void PostConfigure_RegistryConfigured_PathLeftAlone()
    {
        var options = new ArtifactStoreOptions { Kind = ArtifactStoreOptions.RegistryKind, Url = "https://registry.example:5000" };

        new ArtifactStoreOptionsSetup(Options.Create(new CoordinatorOptions { DataDirectory = "/var/lib/mlops" })).PostConfigure(null, options);

        Assert.Null(options.Path);
        Assert.True(new ArtifactStoreOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Validate_RelativePath_Fails()
    {
        var result = new ArtifactStoreOptionsValidator().Validate(null, new ArtifactStoreOptions { Path = "relative/artifacts" });

        Assert.Equal(["Artifacts:Path must be an absolute path, got 'relative/artifacts'"], result.Failures);
    }

    [Fact]
    public void Validate_RegistryWithoutUrlAndHalfTheCredentials_ReportsEveryOne()
    {
        var options = new ArtifactStoreOptions { Kind = ArtifactStoreOptions.RegistryKind, Username = "ci" };

        var failures = new ArtifactStoreOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Equal(2, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("Artifacts:Url", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Artifacts:Username", StringComparison.Ordinal));
    }
}
