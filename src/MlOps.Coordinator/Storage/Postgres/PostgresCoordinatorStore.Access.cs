using MlOps.Contracts;

namespace MlOps.Coordinator.Storage.Postgres;

/// <summary>API tokens (the record a protobuf blob, the secret only as its hash) and the append-only audit log.</summary>
internal sealed partial class PostgresCoordinatorStore : IAccessStore
{
    public Task<bool> CreateTokenAsync(StoredToken token, CancellationToken cancellationToken) =>
        InsertTokenAsync(token, onlyIfEmpty: false, cancellationToken);

    public Task<bool> CreateFirstTokenAsync(StoredToken token, CancellationToken cancellationToken) =>
        InsertTokenAsync(token, onlyIfEmpty: true, cancellationToken);

    private Task<bool> InsertTokenAsync(StoredToken token, bool onlyIfEmpty, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        return WriteAsync(async (connection, transaction) =>
        {
            // Two coordinators starting on an empty store must not both create a first token: under READ COMMITTED
            // NOT EXISTS alone would let both in, so the check runs under a transaction-scoped advisory lock.
            if (onlyIfEmpty)
            {
                await using var lockCommand = Command(connection, transaction, "SELECT pg_advisory_xact_lock(hashtext('mlops.api_tokens.first'));");
                await lockCommand.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var command = Command(connection, transaction,
                $"""
                INSERT INTO api_tokens (id, secret_hash, created_at, record) SELECT @id, @hash, @created, @record
                WHERE {(onlyIfEmpty ? "NOT EXISTS (SELECT 1 FROM api_tokens)" : "TRUE")}
                ON CONFLICT DO NOTHING;
                """);
            StoreParameters.Postgres(command).AddToken(token);
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);
    }

    public async Task<StoredToken?> FindTokenByHashAsync(byte[] secretHash, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "SELECT record, secret_hash FROM api_tokens WHERE secret_hash = @hash;");
        command.Parameters.AddWithValue("hash", secretHash);
        return (await StoreRows.ReadAllAsync(command, StoreRows.ReadToken, cancellationToken)).FirstOrDefault();
    }

    public async Task<IReadOnlyList<StoredToken>> ListTokensAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "SELECT record, secret_hash FROM api_tokens ORDER BY created_at, id;");
        return await StoreRows.ReadAllAsync(command, StoreRows.ReadToken, cancellationToken);
    }

    public Task<bool> UpdateTokenAsync(ApiToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        return WriteAsync(async (connection, transaction) =>
        {
            await using var command = Command(connection, transaction, "UPDATE api_tokens SET record = @record WHERE id = @id;");
            command.Parameters.AddWithValue("id", token.Id);
            command.Parameters.AddWithValue("record", Google.Protobuf.MessageExtensions.ToByteArray(token));
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);
    }

    public Task<long> AppendAuditAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return WriteAsync(async (connection, transaction) =>
        {
            await using var command = Command(connection, transaction,
                "INSERT INTO audit_log (at, principal, method, record) VALUES (@at, @principal, @method, @record) RETURNING sequence;");
            StoreParameters.Postgres(command).AddAuditRecord(record);
            return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<AuditRecord>> ListAuditAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null,
            """
            SELECT sequence, record FROM audit_log
            WHERE (@principal = '' OR principal = @principal) AND (@method = '' OR position(@method in lower(method)) > 0)
              AND at >= @since AND sequence < @before
            ORDER BY sequence DESC LIMIT @limit;
            """);
        StoreParameters.Postgres(command).AddAuditQuery(query);
        return await StoreRows.ReadAllAsync(command, StoreRows.ReadAuditRecord, cancellationToken);
    }
}
