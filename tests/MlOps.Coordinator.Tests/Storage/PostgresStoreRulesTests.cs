using MlOps.Coordinator.Storage.Postgres;
using Npgsql;

namespace MlOps.Coordinator.Tests.Storage;

/// <summary>What the PostgreSQL store decides without a server: which failures it retries, how it checks and shows a
/// connection string.</summary>
public sealed class PostgresStoreRulesTests
{
    [Theory]
    [InlineData(PostgresErrorCodes.SerializationFailure, null, true)]
    [InlineData(PostgresErrorCodes.DeadlockDetected, null, true)]
    [InlineData(PostgresErrorCodes.UniqueViolation, "model_versions_job_id_key", true)]
    [InlineData(PostgresErrorCodes.UniqueViolation, "dataset_versions_pkey", true)]
    [InlineData(PostgresErrorCodes.UniqueViolation, "jobs_pkey", false)]
    [InlineData(PostgresErrorCodes.ForeignKeyViolation, "model_aliases_model_version_fkey", false)]
    [InlineData(PostgresErrorCodes.RaiseException, null, false)]
    public void IsLostRace_SqlStateAndConstraint_RetriedOnlyWhenARetryCanSucceed(string sqlState, string? constraint, bool expected)
    {
        var exception = new PostgresException("conflict", "ERROR", "ERROR", sqlState, constraintName: constraint);

        Assert.Equal(expected, PostgresCoordinatorStore.IsLostRace(exception));
    }

    [Theory]
    [InlineData(null, "is required when Store is 'postgres'")]
    [InlineData("  ", "is required when Store is 'postgres'")]
    [InlineData("Port=5432;Database=mlops", "must name the server (Host=...)")]
    public void Validate_MissingParts_NamesWhatIsMissing(string? connectionString, string expected)
    {
        Assert.Equal([expected], PostgresConnectionStrings.Validate(connectionString));
    }

    [Theory]
    [InlineData("Host=db;Password=hunter2-secret;Colour=blue")]
    [InlineData("Host=db;Password=hunter2-secret;Port=not-a-number")]
    [InlineData("Host=db;Password='hunter2-secret")]
    public void Validate_Malformed_OneErrorWithoutThePassword(string connectionString)
    {
        var error = Assert.Single(PostgresConnectionStrings.Validate(connectionString));

        Assert.StartsWith("is not a valid PostgreSQL connection string: ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Usable_NoErrors()
    {
        Assert.Empty(PostgresConnectionStrings.Validate("Host=db.example;Port=5433;Database=mlops;Username=mlops;Password=x"));
    }

    [Fact]
    public void Describe_WithPassword_HostPortDatabaseOnly()
    {
        Assert.Equal("db.example:5433/mlops", PostgresConnectionStrings.Describe("Host=db.example;Port=5433;Database=mlops;Username=u;Password=secret"));
    }

    [Theory]
    [InlineData("Host=db", "mlops-coordinator")]
    [InlineData("Host=db;Application Name=coordinator-2", "coordinator-2")]
    public void Prepare_ApplicationName_FilledInUnlessGiven(string connectionString, string expected)
    {
        Assert.Equal(expected, new NpgsqlConnectionStringBuilder(PostgresConnectionStrings.Prepare(connectionString)).ApplicationName);
    }
}
