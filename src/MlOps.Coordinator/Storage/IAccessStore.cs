using MlOps.Contracts;

namespace MlOps.Coordinator.Storage;

/// <summary>A stored API token: its public record and the SHA-256 of its secret (the secret itself is never stored).</summary>
public sealed record StoredToken(ApiToken Token, byte[] SecretHash);

/// <summary>Which audit records to read: newest first, before <see cref="BeforeSequence"/> when it is set.</summary>
public sealed record AuditQuery(string? Principal, string? Method, DateTimeOffset? Since, long? BeforeSequence, int Limit);

/// <summary>API tokens (hashed) and the audit log of mutating calls (docs/security.md).</summary>
public interface IAccessStore
{
    /// <summary>Stores a new token; false when its id or hash is taken.</summary>
    Task<bool> CreateTokenAsync(StoredToken token, CancellationToken cancellationToken);

    /// <summary>Stores <paramref name="token"/> only when the store holds no token at all (the first admin's).</summary>
    Task<bool> CreateFirstTokenAsync(StoredToken token, CancellationToken cancellationToken);

    Task<StoredToken?> FindTokenByHashAsync(byte[] secretHash, CancellationToken cancellationToken);

    /// <summary>Every token, oldest first.</summary>
    Task<IReadOnlyList<StoredToken>> ListTokensAsync(CancellationToken cancellationToken);

    /// <summary>Replaces the record of an existing token (a revocation); false when there is no such token.</summary>
    Task<bool> UpdateTokenAsync(ApiToken token, CancellationToken cancellationToken);

    /// <summary>Appends a record and returns the sequence number it got.</summary>
    Task<long> AppendAuditAsync(AuditRecord record, CancellationToken cancellationToken);

    Task<IReadOnlyList<AuditRecord>> ListAuditAsync(AuditQuery query, CancellationToken cancellationToken);
}
