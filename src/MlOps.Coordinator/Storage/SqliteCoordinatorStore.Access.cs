using MlOps.Contracts;

namespace MlOps.Coordinator.Storage;

/// <summary>API tokens (the record a protobuf blob, the secret only as its hash) and the append-only audit log.</summary>
internal sealed partial class SqliteCoordinatorStore : IAccessStore
{
    public Task<bool> CreateTokenAsync(StoredToken token, CancellationToken cancellationToken) =>
        InsertTokenAsync(token, onlyIfEmpty: false, cancellationToken);

    public Task<bool> CreateFirstTokenAsync(StoredToken token, CancellationToken cancellationToken) =>
        InsertTokenAsync(token, onlyIfEmpty: true, cancellationToken);

    private Task<bool> InsertTokenAsync(StoredToken token, bool onlyIfEmpty, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        return WriteAsync((connection, transaction) =>
        {
            using var command = Command(connection, transaction,
                $"""
                INSERT INTO api_tokens (id, secret_hash, created_at, record) SELECT $id, $hash, $created, $record
                WHERE {(onlyIfEmpty ? "NOT EXISTS (SELECT 1 FROM api_tokens)" : "TRUE")}
                ON CONFLICT DO NOTHING;
                """);
            StoreParameters.Sqlite(command).AddToken(token);
            return command.ExecuteNonQuery() > 0;
        }, cancellationToken);
    }

    public Task<StoredToken?> FindTokenByHashAsync(byte[] secretHash, CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var command = Command(connection, null, "SELECT record, secret_hash FROM api_tokens WHERE secret_hash = $hash;");
        command.Parameters.AddWithValue("$hash", secretHash);
        return Task.FromResult(StoreRows.ReadAll(command, StoreRows.ReadToken).FirstOrDefault());
    }

    public Task<IReadOnlyList<StoredToken>> ListTokensAsync(CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var command = Command(connection, null, "SELECT record, secret_hash FROM api_tokens ORDER BY created_at, id;");
        return Task.FromResult<IReadOnlyList<StoredToken>>(StoreRows.ReadAll(command, StoreRows.ReadToken));
    }

    public Task<bool> UpdateTokenAsync(ApiToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        return WriteAsync((connection, transaction) =>
        {
            using var command = Command(connection, transaction, "UPDATE api_tokens SET record = $record WHERE id = $id;");
            command.Parameters.AddWithValue("$id", token.Id);
            command.Parameters.AddWithValue("$record", Google.Protobuf.MessageExtensions.ToByteArray(token));
            return command.ExecuteNonQuery() > 0;
        }, cancellationToken);
    }

    public Task<long> AppendAuditAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return WriteAsync((connection, transaction) =>
        {
            using var command = Command(connection, transaction,
                "INSERT INTO audit_log (at, principal, method, record) VALUES ($at, $principal, $method, $record) RETURNING sequence;");
            StoreParameters.Sqlite(command).AddAuditRecord(record);
            return (long)command.ExecuteScalar()!;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<AuditRecord>> ListAuditAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        using var connection = Open();
        using var command = Command(connection, null,
            """
            SELECT sequence, record FROM audit_log
            WHERE ($principal = '' OR principal = $principal) AND ($method = '' OR instr(lower(method), $method) > 0)
              AND at >= $since AND sequence < $before
            ORDER BY sequence DESC LIMIT $limit;
            """);
        StoreParameters.Sqlite(command).AddAuditQuery(query);
        return Task.FromResult<IReadOnlyList<AuditRecord>>(StoreRows.ReadAll(command, StoreRows.ReadAuditRecord));
    }
}
