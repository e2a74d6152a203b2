using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MlOps.Contracts.Access;
using MlOps.Coordinator.Access;
using MlOps.Coordinator.Configuration;
using MlOps.Coordinator.Storage;
using MlOps.Testing;

namespace MlOps.Coordinator.Tests.Access;

/// <summary><see cref="ApiTokens"/> on a real SQLite store: secrets checked by hash, revocation and expiry refused at
/// once, and <see cref="ApiTokens.Changed"/> only when the set of valid tokens moves.</summary>
public sealed class ApiTokensTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
    private readonly SqliteCoordinatorStore _store;
    private readonly ApiTokens _tokens;

    public ApiTokensTests()
    {
        _store = new SqliteCoordinatorStore(_directory.Combine("coordinator.db"), _time, NullLogger<SqliteCoordinatorStore>.Instance);
        _store.MigrateAsync(CancellationToken.None).GetAwaiter().GetResult();
        _tokens = new ApiTokens(_store, Options.Create(new CoordinatorOptions()), _time);
    }

    public void Dispose()
    {
        _tokens.Dispose();
        _store.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task AuthenticateAsync_CreatedSecret_GivesItsToken_AndTheStoreNeverHoldsTheSecret()
    {
        var (token, secret) = await _tokens.CreateAsync("alice", AccessRole.Deployer, "ci", null, "root", CancellationToken.None);

        var found = await _tokens.AuthenticateAsync(secret, CancellationToken.None);

        Assert.Equal(token, found);
        Assert.Equal("deployer", found.Role);
        Assert.Equal("root", found.CreatedBy);
        var stored = Assert.Single(await _store.ListTokensAsync(CancellationToken.None));
        Assert.DoesNotContain(secret, stored.Token.ToString(), StringComparison.Ordinal);
        Assert.Equal(TokenSecrets.Hash(secret), stored.SecretHash);
    }

    [Fact]
    public async Task AuthenticateAsync_RevokedToken_RefusedAtOnceNamingIt()
    {
        var (token, secret) = await _tokens.CreateAsync("bob", AccessRole.Viewer, "", null, "root", CancellationToken.None);
        await _tokens.AuthenticateAsync(secret, CancellationToken.None);

        var revoked = await _tokens.RevokeAsync(token.Id, "root", CancellationToken.None);

        Assert.NotNull(revoked!.RevokedAt);
        var refusal = await Assert.ThrowsAsync<TokenRefusedException>(() => _tokens.AuthenticateAsync(secret, CancellationToken.None));
        Assert.Contains($"API token {token.Id} was revoked", refusal.Message, StringComparison.Ordinal);
        Assert.Null(await _tokens.RevokeAsync("tok_ffffffffffff", "root", CancellationToken.None));
    }

    [Fact]
    public async Task AuthenticateAsync_ExpiredOrUnknown_Refused()
    {
        var (_, secret) = await _tokens.CreateAsync("carol", AccessRole.Viewer, "", TimeSpan.FromHours(1), "root", CancellationToken.None);
        await _tokens.AuthenticateAsync(secret, CancellationToken.None);

        _time.Advance(TimeSpan.FromHours(1));

        Assert.Contains("expired", (await Assert.ThrowsAsync<TokenRefusedException>(() => _tokens.AuthenticateAsync(secret, CancellationToken.None))).Message, StringComparison.Ordinal);
        Assert.Contains("not one this cluster issued", (await Assert.ThrowsAsync<TokenRefusedException>(() => _tokens.AuthenticateAsync("guess", CancellationToken.None))).Message, StringComparison.Ordinal);
        var (id, forged) = TokenSecrets.Generate();
        Assert.Contains($"{id} is unknown", (await Assert.ThrowsAsync<TokenRefusedException>(() => _tokens.AuthenticateAsync(forged, CancellationToken.None))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuthenticateAsync_TokenMadeByAnotherCoordinator_FoundInTheStoreBeforeTheCacheReloads()
    {
        await _tokens.ReloadAsync(CancellationToken.None);
        using var other = new ApiTokens(_store, Options.Create(new CoordinatorOptions()), _time);
        var (token, secret) = await other.CreateAsync("dave", AccessRole.Admin, "", null, "root", CancellationToken.None);

        Assert.Equal(token, await _tokens.AuthenticateAsync(secret, CancellationToken.None));
    }

    [Fact]
    public async Task CreateFirstAdminAsync_OnlyOnAnEmptyStore()
    {
        var first = await _tokens.CreateFirstAdminAsync("admin", CancellationToken.None);
        var second = await _tokens.CreateFirstAdminAsync("admin", CancellationToken.None);

        Assert.NotNull(first);
        Assert.Null(second);
        Assert.Equal("admin", (await _tokens.AuthenticateAsync(first.Value.Secret, CancellationToken.None)).Role);
    }

    [Fact]
    public async Task Changed_FiresWhenTheValidSetMoves_NotOnEveryReload()
    {
        var changes = 0;
        _tokens.Changed += (_, _) => changes++;
        await _tokens.ReloadAsync(CancellationToken.None);
        var afterFirstLoad = changes;

        var (token, _) = await _tokens.CreateAsync("erin", AccessRole.Viewer, "", TimeSpan.FromMinutes(5), "root", CancellationToken.None);
        Assert.Equal(afterFirstLoad + 1, changes);
        Assert.Single(await _tokens.ValidHashesAsync(CancellationToken.None));

        await _tokens.ReloadAsync(CancellationToken.None);
        Assert.Equal(afterFirstLoad + 1, changes);

        _time.Advance(TimeSpan.FromMinutes(5));
        await _tokens.ReloadAsync(CancellationToken.None);
        Assert.Equal(afterFirstLoad + 2, changes);
        Assert.Empty(await _tokens.ValidHashesAsync(CancellationToken.None));
        Assert.NotNull(token);
    }

    [Theory]
    [InlineData("alice", true)]
    [InlineData("ci-bot@team.example", true)]
    [InlineData("", false)]
    [InlineData("-x", false)]
    [InlineData("a b", false)]
    [InlineData("../etc", false)]
    public void NameProblem_PrincipalNames(string name, bool valid) => Assert.Equal(valid, ApiTokens.NameProblem(name) is null);
}
