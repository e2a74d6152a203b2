using System.Data;
using Npgsql;

namespace MlOps.Coordinator.Storage.Postgres;

/// <summary>Connections, commands and the two kinds of transaction the store runs: retried writes and consistent reads.</summary>
internal sealed partial class PostgresCoordinatorStore
{
    /// <summary>How many times a write runs before its conflict reaches the caller.</summary>
    internal const int MaxWriteAttempts = 10;

    /// <summary>
    /// Runs <paramref name="write"/> in one READ COMMITTED transaction and commits it. A write that loses a race to
    /// another transaction (a deadlock, a serialization failure, or a number or key taken first, see
    /// <see cref="PostgresSchema.RetryableConstraints"/>) is rolled back and run again from the start, so
    /// <paramref name="write"/> must do nothing but database work: job mutators are pure for this reason. There is no
    /// back-off: PostgreSQL reports these conflicts only once the other transaction has finished, and the retry then
    /// waits on row locks instead of spinning.
    /// </summary>
    private async Task<T> WriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> write, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
            try
            {
                var result = await write(connection, transaction);
                await transaction.CommitAsync(cancellationToken);
                return result;
            }
            catch (PostgresException ex) when (attempt < MaxWriteAttempts && IsLostRace(ex))
            {
                StoreLog.WriteRetried(_logger, ex.SqlState, ex.ConstraintName ?? "", attempt, MaxWriteAttempts);
            }
        }
    }

    /// <summary>Runs several reads against one snapshot (REPEATABLE READ, read only: it never conflicts).</summary>
    private async Task<T> SnapshotAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> read, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        var result = await read(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    internal static bool IsLostRace(PostgresException exception) => exception.SqlState switch
    {
        PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected => true,
        PostgresErrorCodes.UniqueViolation => exception.ConstraintName is { } name && PostgresSchema.RetryableConstraints.Contains(name),
        _ => false,
    };

    private ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) =>
        _dataSource.Value.OpenConnectionAsync(cancellationToken);

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql) =>
        new(sql, connection, transaction);

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
