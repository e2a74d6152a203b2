using Npgsql;

namespace MlOps.Coordinator.Storage.Postgres;

/// <summary>
/// Checks and shows Npgsql connection strings. A connection string may carry a password, so nothing here ever
/// returns it: problems name keywords, and <see cref="Describe"/> shows only host, port and database.
/// </summary>
internal static class PostgresConnectionStrings
{
    /// <summary>What the coordinator calls itself in <c>pg_stat_activity</c> unless the connection string says otherwise.</summary>
    public const string ApplicationName = "mlops-coordinator";

    /// <summary>Every problem with <paramref name="connectionString"/>; empty when Npgsql can use it.</summary>
    public static IReadOnlyList<string> Validate(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return ["is required when Store is 'postgres'"];
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException)
        {
            // The parser's messages name the keyword or the position, never a value, so the password stays out.
            return [$"is not a valid PostgreSQL connection string: {ex.Message}"];
        }

        return string.IsNullOrWhiteSpace(builder.Host) ? ["must name the server (Host=...)"] : [];
    }

    /// <summary><c>host:port/database</c>, for logs and errors.</summary>
    public static string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username}";
    }

    /// <summary>The connection string the store opens, with <see cref="ApplicationName"/> filled in when missing.</summary>
    public static string Prepare(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = ApplicationName;
        }

        return builder.ConnectionString;
    }
}
