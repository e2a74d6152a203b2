using MlOps.Artifacts.Manifests;
using MlOps.Artifacts.Tests.Infrastructure;

namespace MlOps.Artifacts.Tests.Registry;

/// <summary>Basic authentication against a real registry with an htpasswd (bcrypt) file.</summary>
[Trait("Category", "Integration")]
public sealed class BasicAuthTests(BasicAuthRegistryFixture registry) : IClassFixture<BasicAuthRegistryFixture>
{
    [Fact]
    public async Task PushAndPull_RightCredentials_RoundTrip()
    {
        using var store = Registries.Client(registry.Server.Url, BasicAuthRegistryFixture.User, BasicAuthRegistryFixture.Password);
        var repository = TestData.Repository();
        var content = TestData.RandomBytes(70_000);

        var descriptor = await store.PushBlobAsync(repository, new MemoryStream(content), OciMediaTypes.OctetStream);
        await using var stream = await store.OpenBlobAsync(repository, descriptor.Digest);

        Assert.Equal(content, await TestData.ReadAllAsync(stream));
    }

    [Fact]
    public async Task PushBlobAsync_ChunkedWithRightCredentials_RoundTrip()
    {
        using var store = Registries.Client(registry.Server.Url, BasicAuthRegistryFixture.User, BasicAuthRegistryFixture.Password, chunkSize: 16 * 1024);
        var repository = TestData.Repository();
        var content = TestData.RandomBytes(50_000);

        var descriptor = await store.PushBlobAsync(repository, new MemoryStream(content), OciMediaTypes.OctetStream);

        Assert.True(await store.BlobExistsAsync(repository, descriptor.Digest));
    }

    [Fact]
    public async Task PushBlobAsync_WrongPassword_ThrowsAuthenticationNamingUserNotPassword()
    {
        using var store = Registries.Client(registry.Server.Url, BasicAuthRegistryFixture.User, "wrong-password");

        var error = await Assert.ThrowsAsync<ArtifactAuthenticationException>(() =>
            store.PushBlobAsync(TestData.Repository(), new MemoryStream([1, 2, 3]), OciMediaTypes.OctetStream));

        Assert.Contains(BasicAuthRegistryFixture.User, error.Message);
        Assert.DoesNotContain("wrong-password", error.Message);
    }

    [Fact]
    public async Task ListTagsAsync_NoCredentials_ThrowsAuthenticationSayingNoneConfigured()
    {
        using var store = Registries.Client(registry.Server.Url);

        var error = await Assert.ThrowsAsync<ArtifactAuthenticationException>(() => store.ListTagsAsync(TestData.Repository()));

        Assert.Contains("no credentials", error.Message);
    }
}
