using Grpc.Health.V1;
using MlOps.Contracts;
using MlOps.Coordinator.Tests.Infrastructure;
using MlOps.Coordinator.Tests.TestData;
using MlOps.Testing;

namespace MlOps.Coordinator.Tests.Storage;

/// <summary>The real coordinator host configured with <c>Coordinator:Store=postgres</c>: composition, migration at start,
/// the health check, and a second coordinator on the same database.</summary>
[Trait("Category", "Integration")]
[RequiresPostgres]
[Collection(PostgresCollection.Name)]
public sealed class PostgresCoordinatorHostTests(PostgresFixture postgres) : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [StoreFact]
    public async Task StartAsync_StorePostgres_ServingAndAnotherCoordinatorSeesTheJobs()
    {
        var connectionString = await postgres.CreateSchemaAsync(GetType(), "host");
        var dataset = FourPixelDataset.Write(_directory.Combine("tiny"));
        string[] store = ["--Coordinator:Store=postgres", $"--Coordinator:PostgresConnectionString={connectionString}"];
        Job submitted;
        await using (var first = await CoordinatorHost.StartAsync(_directory.Combine("first"), dataset, store))
        {
            var health = await new Health.HealthClient(first.Channel).CheckAsync(new HealthCheckRequest());
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
            // Larger than any agent: it stays queued, and no scheduler pass changes it between the two reads.
            submitted = (await first.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = TestSpecs.Valid("first", cpuCores: 64) })).Job;
        }

        await using var second = await CoordinatorHost.StartAsync(_directory.Combine("second"), dataset, store);

        var loaded = await second.Jobs.GetJobAsync(new GetJobRequest { JobId = submitted.Id });
        (loaded.WaitingReason, submitted.WaitingReason) = ("", ""); // live scheduler state, not stored
        Assert.Equal(submitted, loaded);
        Assert.False(File.Exists(Path.Combine(_directory.Combine("first"), "coordinator.db")));
    }
}
