using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;
using MlOps.Contracts;
using MlOps.Contracts.Access;
using MlOps.Coordinator.Configuration;
using MlOps.Coordinator.Storage;

namespace MlOps.Coordinator.Access;

/// <summary>Why a presented token was refused, in words safe to return to the caller.</summary>
public sealed class TokenRefusedException(string message) : Exception(message);

/// <summary>
/// API tokens: creation, revocation, and the check of every call's bearer secret against an in-memory cache of the
/// store's tokens (reloaded every <see cref="AccessOptions.CacheRefresh"/>, and at once after a change made here). A
/// secret the cache does not know is looked up in the store before it is refused, so a token made through another
/// coordinator works at once. <see cref="Changed"/> fires after every change, for the agents' inference credentials.
/// </summary>
public sealed partial class ApiTokens(IAccessStore store, IOptions<CoordinatorOptions> options, TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim _reload = new(1, 1);
    private volatile Dictionary<string, ApiToken> _byHash = new(StringComparer.Ordinal);
    private long _loadedAt = long.MinValue;
    private string? _validKeys;

    /// <summary>A token was created or revoked.</summary>
    public event EventHandler? Changed;

    /// <summary>Principal names: what audit records, job owners and <c>mlops token create</c> show.</summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex PrincipalName();

    /// <summary>Null when <paramref name="name"/> may name a principal, else what is wrong with it.</summary>
    public static string? NameProblem(string? name) =>
        string.IsNullOrEmpty(name) ? "is required"
        : PrincipalName().IsMatch(name) ? null
        : $"must be 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit, got '{name}'";

    /// <summary>The token a bearer secret belongs to when it is valid now; else <see cref="TokenRefusedException"/>.</summary>
    public async Task<ApiToken> AuthenticateAsync(string secret, CancellationToken cancellationToken)
    {
        await RefreshIfStaleAsync(cancellationToken);
        var hash = TokenSecrets.Hash(secret);
        if (!_byHash.TryGetValue(Convert.ToHexString(hash), out var token))
        {
            var stored = await store.FindTokenByHashAsync(hash, cancellationToken);
            token = stored?.Token;
        }

        var id = TokenSecrets.IdOf(secret);
        if (token is null)
        {
            throw new TokenRefusedException(id is null
                ? "the API token is not one this cluster issued (expected mlops_tok_...)"
                : $"API token {id} is unknown to this cluster");
        }

        if (token.RevokedAt is not null)
        {
            throw new TokenRefusedException($"API token {token.Id} was revoked at {token.RevokedAt.ToDateTimeOffset():u}");
        }

        if (token.ExpiresAt is not null && token.ExpiresAt.ToDateTimeOffset() <= time.GetUtcNow())
        {
            throw new TokenRefusedException($"API token {token.Id} expired at {token.ExpiresAt.ToDateTimeOffset():u}");
        }

        return token;
    }

    /// <summary>Creates a token; returns it with its secret (shown once).</summary>
    public async Task<(ApiToken Token, string Secret)> CreateAsync(
        string name, AccessRole role, string description, TimeSpan? validFor, string createdBy, CancellationToken cancellationToken)
    {
        var (id, secret) = TokenSecrets.Generate();
        var now = time.GetUtcNow();
        var token = new ApiToken
        {
            Id = id,
            Name = name,
            Role = role.Name(),
            Description = description,
            CreatedAt = Timestamp.FromDateTimeOffset(now),
            CreatedBy = createdBy,
            ExpiresAt = validFor is { } span && span > TimeSpan.Zero ? Timestamp.FromDateTimeOffset(now + span) : null,
        };
        if (!await store.CreateTokenAsync(new StoredToken(token, TokenSecrets.Hash(secret)), cancellationToken))
        {
            throw new InvalidOperationException($"token id {id} collided with a stored one; try again");
        }

        await ReloadAsync(cancellationToken);
        return (token, secret);
    }

    /// <summary>
    /// When the store holds no token at all: creates an admin token named <paramref name="name"/> and returns its
    /// secret; null when tokens exist (or another coordinator made the first one at the same moment).
    /// </summary>
    public async Task<(ApiToken Token, string Secret)?> CreateFirstAdminAsync(string name, CancellationToken cancellationToken)
    {
        var (id, secret) = TokenSecrets.Generate();
        var token = new ApiToken
        {
            Id = id,
            Name = name,
            Role = AccessRole.Admin.Name(),
            Description = "first admin token, made at the coordinator's first start with authentication on",
            CreatedAt = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
            CreatedBy = "coordinator",
        };
        if (!await store.CreateFirstTokenAsync(new StoredToken(token, TokenSecrets.Hash(secret)), cancellationToken))
        {
            return null;
        }

        await ReloadAsync(cancellationToken);
        return (token, secret);
    }

    /// <summary>Revokes the token (no change when it already is); null when there is no such token.</summary>
    public async Task<ApiToken?> RevokeAsync(string id, string revokedBy, CancellationToken cancellationToken)
    {
        var stored = (await store.ListTokensAsync(cancellationToken)).FirstOrDefault(t => t.Token.Id == id);
        if (stored is null)
        {
            return null;
        }

        if (stored.Token.RevokedAt is not null)
        {
            return stored.Token;
        }

        var revoked = stored.Token.Clone();
        revoked.RevokedAt = Timestamp.FromDateTimeOffset(time.GetUtcNow());
        revoked.RevokedBy = revokedBy;
        await store.UpdateTokenAsync(revoked, cancellationToken);
        await ReloadAsync(cancellationToken);
        return revoked;
    }

    public async Task<IReadOnlyList<ApiToken>> ListAsync(CancellationToken cancellationToken) =>
        [.. (await store.ListTokensAsync(cancellationToken)).Select(t => t.Token)];

    /// <summary>The SHA-256 of every token valid now, for agents that check inference calls.</summary>
    public async Task<IReadOnlyList<byte[]>> ValidHashesAsync(CancellationToken cancellationToken)
    {
        await RefreshIfStaleAsync(cancellationToken);
        return ValidHashes();
    }

    /// <summary>The SHA-256 of every token valid now, from the cache as it stands (what <see cref="Changed"/>
    /// listeners read: the cache was reloaded just before it fired).</summary>
    public IReadOnlyList<byte[]> ValidHashes() => [.. ValidHashKeys(_byHash).Select(Convert.FromHexString)];

    /// <summary>Reloads every token from the store; tells <see cref="Changed"/> listeners when the set of valid tokens
    /// moved (a token made, revoked or expired since the last load).</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        bool changed;
        await _reload.WaitAsync(cancellationToken);
        try
        {
            var tokens = await store.ListTokensAsync(cancellationToken);
            var byHash = tokens.ToDictionary(t => Convert.ToHexString(t.SecretHash), t => t.Token, StringComparer.Ordinal);
            var valid = string.Join(",", ValidHashKeys(byHash).Order(StringComparer.Ordinal));
            changed = !string.Equals(valid, _validKeys, StringComparison.Ordinal);
            _validKeys = valid;
            _byHash = byHash;
            Interlocked.Exchange(ref _loadedAt, time.GetTimestamp());
        }
        finally
        {
            _reload.Release();
        }

        if (changed)
        {
            Changed?.Invoke(this, EventArgs.Empty);
        }
    }

    private IEnumerable<string> ValidHashKeys(Dictionary<string, ApiToken> byHash)
    {
        var now = time.GetUtcNow();
        return byHash.Where(e => e.Value.RevokedAt is null && (e.Value.ExpiresAt is null || e.Value.ExpiresAt.ToDateTimeOffset() > now))
            .Select(e => e.Key);
    }

    private Task RefreshIfStaleAsync(CancellationToken cancellationToken)
    {
        var loadedAt = Interlocked.Read(ref _loadedAt);
        return loadedAt != long.MinValue && time.GetElapsedTime(loadedAt) < options.Value.Auth.CacheRefresh
            ? Task.CompletedTask
            : ReloadAsync(cancellationToken);
    }

    public void Dispose() => _reload.Dispose();
}
