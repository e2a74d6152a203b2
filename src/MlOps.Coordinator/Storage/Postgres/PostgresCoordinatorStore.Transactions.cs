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
                await CheckFenceAsync(connection, transaction, cancellationToken);
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

    private long _fenceEpoch;

    public event EventHandler<StaleWriterException>? WritesFenced;

    public async Task<long> ClaimWritesAsync(string holder, CancellationToken cancellationToken)
    {
        // The UPDATE waits for every write in flight (each holds the fence row FOR SHARE): once it commits, no write of
        // an older epoch can still commit.
        var epoch = await WriteAsync(async (connection, transaction) =>
        {
            await using var command = Command(connection, transaction,
                "UPDATE write_fence SET epoch = epoch + 1, holder = @holder, claimed_at = @at WHERE id = 1 RETURNING epoch;");
            command.Parameters.AddWithValue("holder", holder);
            command.Parameters.AddWithValue("at", _timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
            return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }, cancellationToken);
        Volatile.Write(ref _fenceEpoch, epoch);
        return epoch;
    }

    /// <summary>First statement of every write once this store claimed: holds the fence row FOR SHARE, so a newer
    /// claim waits for this write, and refuses the write if a newer claim already committed.</summary>
    private async Task CheckFenceAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var mine = Volatile.Read(ref _fenceEpoch);
        if (mine == 0)
        {
            return;
        }

        await using var command = Command(connection, transaction, "SELECT epoch, holder FROM write_fence WHERE id = 1 FOR SHARE;");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var (current, holder) = (reader.GetInt64(0), reader.GetString(1));
        if (current != mine)
        {
            var stale = new StaleWriterException(mine, current, holder);
            WritesFenced?.Invoke(this, stale);
            throw stale;
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
