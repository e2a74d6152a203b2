using MlOps.Artifacts.Configuration;

namespace MlOps.Artifacts.Tests.Configuration;

public sealed class ArtifactStoreOptionsTests
{
    [Fact]
    public void Validate_LayoutWithPath_NoErrors() =>
        Assert.Empty(new ArtifactStoreOptions { Path = "/var/lib/mlops/artifacts" }.Validate());

    [Fact]
    public void Validate_RegistryWithSeveralProblems_ListsEveryOne()
    {
        var errors = new ArtifactStoreOptions
        {
            Kind = "registry",
            Url = "http://127.0.0.1:5000",
            Username = "user",
            ChunkSizeBytes = 10,
            RequestTimeout = TimeSpan.Zero,
        }.Validate();

        Assert.Equal(4, errors.Count);
        Assert.Contains(errors, e => e.Contains("Insecure"));
        Assert.Contains(errors, e => e.Contains("Password"));
        Assert.Contains(errors, e => e.Contains("ChunkSizeBytes"));
        Assert.Contains(errors, e => e.Contains("RequestTimeout"));
    }

    [Fact]
    public void Validate_MaxBlobBytesBelowOneMiB_NamesTheKey()
    {
        var options = new ArtifactStoreOptions { Path = "/var/lib/mlops/artifacts", MaxBlobBytes = 1000 };

        Assert.Equal(20L << 30, new ArtifactStoreOptions().MaxBlobBytes);
        Assert.Contains(options.Validate(), e => e.Contains("Artifacts:MaxBlobBytes 1000", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("layout", null, "Path is required")]
    [InlineData("registry", null, "Url is required")]
    [InlineData("registry", "ftp://x", "not an absolute http(s) URL")]
    [InlineData("registry", "https://u:p@x", "user info")]
    [InlineData("s3", null, "Kind 's3'")]
    public void Validate_OneProblem_NamesTheKey(string kind, string? url, string expected)
    {
        var errors = new ArtifactStoreOptions { Kind = kind, Url = url }.Validate();

        Assert.Contains(errors, e => e.Contains(expected));
    }

    [Fact]
    public void Create_Invalid_ThrowsWithEveryError()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            ArtifactStoreFactory.Create(new ArtifactStoreOptions { Kind = "registry", Username = "u", ChunkSizeBytes = 1 }));

        Assert.Contains("Url is required", error.Message);
        Assert.Contains("Password", error.Message);
        Assert.Contains("ChunkSizeBytes", error.Message);
    }

    [Fact]
    public void Create_Registry_ReturnsRegistryStoreWithBaseUrl()
    {
        using var store = (IRegistryArtifactStore)ArtifactStoreFactory.Create(new ArtifactStoreOptions
        {
            Kind = "registry",
            Url = "https://registry.example:5000",
        });

        Assert.Equal(new Uri("https://registry.example:5000/"), store.BaseUri);
    }

    [Fact]
    public void Create_Layout_ReturnsStoreAtFullPath()
    {
        var store = ArtifactStoreFactory.Create(new ArtifactStoreOptions { Path = "relative/store" });

        Assert.Equal(Path.GetFullPath("relative/store"), store.Location);
    }
}
