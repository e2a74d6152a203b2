using MlOps.Artifacts.Configuration;
using MlOps.Artifacts.Tests.Infrastructure;
using MlOps.Artifacts.Tests.Stores;

namespace MlOps.Artifacts.Tests.Registry;

/// <summary>The store contract against a real <c>docker-registry</c> (CNCF distribution) started for this class.</summary>
[Trait("Category", "Integration")]
public sealed class OciRegistryStoreContractTests : ArtifactStoreContractTests, IClassFixture<RegistryFixture>
{
    private readonly RegistryFixture _registry;
    private readonly IRegistryArtifactStore _store;

    public OciRegistryStoreContractTests(RegistryFixture registry)
    {
        _registry = registry;
        _store = ArtifactStoreFactory.CreateRegistry(new ArtifactStoreOptions
        {
            Kind = ArtifactStoreOptions.RegistryKind,
            Url = registry.Server.Url,
            Insecure = true,
        });
    }

    protected override IArtifactStore Store => _store;

    protected override string BlobFileOnDisk(string repository, string digest) => _registry.Server.BlobDataPath(digest);

    protected override void DisposeStore() => _store.Dispose();
}
