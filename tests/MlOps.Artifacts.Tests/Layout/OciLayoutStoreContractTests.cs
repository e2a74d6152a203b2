using MlOps.Artifacts.Layout;
using MlOps.Artifacts.Tests.Stores;

namespace MlOps.Artifacts.Tests.Layout;

/// <summary>The store contract against the OCI image-layout back end.</summary>
public sealed class OciLayoutStoreContractTests : ArtifactStoreContractTests
{
    private readonly OciLayoutStore _store;

    public OciLayoutStoreContractTests() => _store = new OciLayoutStore(Temp.Combine("store"));

    protected override IArtifactStore Store => _store;

    protected override string BlobFileOnDisk(string repository, string digest) => _store.BlobPath(repository, digest);
}
