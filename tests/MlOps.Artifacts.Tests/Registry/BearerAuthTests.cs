using Microsoft.Extensions.Time.Testing;
using MlOps.Artifacts.Manifests;
using MlOps.Artifacts.Models;
using MlOps.Artifacts.Tests.Infrastructure;
using MlOps.Testing;

namespace MlOps.Artifacts.Tests.Registry;

/// <summary>The Bearer token flow against a real registry with <c>auth: token:</c> and a token service on loopback:
/// challenge, token from the realm with Basic credentials, token cached per scope.</summary>
[Trait("Category", "Integration")]
public sealed class BearerAuthTests(TokenAuthRegistryFixture registry) : IClassFixture<TokenAuthRegistryFixture>
{
    [Fact]
    public async Task PushModelAndPullModel_RightCredentials_RoundTripWithOneTokenPerScope()
    {
        using var temp = new TempDirectory();
        using var store = Registries.Client(registry.Server.Url, TokenAuthRegistryFixture.User, TokenAuthRegistryFixture.Password);
        var repository = TestData.Repository("models");
        var onnx = TestData.WriteFile(temp.Path, "model.onnx", TestData.RandomBytes(20_000));
        var before = registry.Tokens.Issued.Count;

        var digest = await store.PushModelAsync(repository, "v1", SampleModel.Config(), onnx);
        var pulled = await store.PullModelAsync(repository, "v1", temp.Combine("pulled"));

        Assert.Equal(digest, pulled.ManifestDigest);
        var issued = registry.Tokens.Issued.Skip(before).ToList();
        Assert.Equal(issued.Count, issued.Distinct().Count());
        Assert.Contains($"repository:{repository}:pull,push", issued);
    }

    [Fact]
    public async Task ListTagsAsync_TokenCachedThenExpired_FetchesOnceThenRenews()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var store = Registries.Client(registry.Server.Url, TokenAuthRegistryFixture.User, TokenAuthRegistryFixture.Password, time: clock);
        var repository = TestData.Repository();
        var scope = $"repository:{repository}:pull";

        await store.ListTagsAsync(repository);
        await store.ListTagsAsync(repository);
        var cached = registry.Tokens.Issued.Count(s => s == scope);
        clock.Advance(TimeSpan.FromSeconds(300));
        await store.ListTagsAsync(repository);

        Assert.Equal(1, cached);
        Assert.Equal(2, registry.Tokens.Issued.Count(s => s == scope));
    }

    [Fact]
    public async Task MountBlobAsync_WithTokens_MountsAcrossRepositories()
    {
        using var store = Registries.Client(registry.Server.Url, TokenAuthRegistryFixture.User, TokenAuthRegistryFixture.Password);
        var source = TestData.Repository();
        var target = TestData.Repository();
        var descriptor = await store.PushBlobAsync(source, new MemoryStream(TestData.RandomBytes(5000)), OciMediaTypes.OctetStream);

        Assert.True(await store.MountBlobAsync(target, descriptor.Digest, source));
        Assert.True(await store.BlobExistsAsync(target, descriptor.Digest));
    }

    [Fact]
    public async Task ListTagsAsync_WrongPassword_ThrowsAuthenticationFromTokenService()
    {
        using var store = Registries.Client(registry.Server.Url, TokenAuthRegistryFixture.User, "nope");

        var error = await Assert.ThrowsAsync<ArtifactAuthenticationException>(() => store.ListTagsAsync(TestData.Repository()));

        Assert.Contains(registry.Tokens.Realm, error.Message);
        Assert.Contains(TokenAuthRegistryFixture.User, error.Message);
    }

    [Fact]
    public async Task BlobExistsAsync_NoCredentials_ThrowsAuthentication()
    {
        using var store = Registries.Client(registry.Server.Url);

        await Assert.ThrowsAsync<ArtifactAuthenticationException>(() =>
            store.BlobExistsAsync(TestData.Repository(), "sha256:" + new string('0', 64)));
    }
}
