using Grpc.Core;
using MlOps.Contracts;
using MlOps.Coordinator.Api;
using MlOps.Coordinator.Jobs;
using MlOps.Coordinator.Storage;
using MlOps.Coordinator.Tests.Infrastructure;
using MlOps.Coordinator.Tests.TestData;

namespace MlOps.Coordinator.Tests.Jobs;

/// <summary>A client-chosen job id makes a submit idempotent: a retry returns the first job instead of a second one.</summary>
public sealed class IdempotentSubmitTests
{
    private const string JobId = "j-06h1v55f9gq5619j";

    [Fact]
    public async Task Submit_SameJobIdTwice_OneJobWithOneHistory()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var submitter = coordinator.Get<JobSubmitter>();

        var first = await submitter.SubmitAsync(TestSpecs.Valid(), "tester", CancellationToken.None, JobId);
        var retry = await submitter.SubmitAsync(TestSpecs.Valid(), "tester", CancellationToken.None, JobId);

        Assert.Equal((JobId, JobId), (first.Id, retry.Id));
        var page = await coordinator.Store.ListJobsAsync(new JobQuery([], null, 50, null), CancellationToken.None);
        Assert.Single(page.Jobs);
        var events = await coordinator.Store.ReadEventsAsync(JobId, 0, 100, CancellationToken.None);
        Assert.Single(events, e => e.StateChange?.To == JobState.Queued);
    }

    [Fact]
    public async Task Submit_JobIdOfAnotherOwner_Conflict()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var submitter = coordinator.Get<JobSubmitter>();
        await submitter.SubmitAsync(TestSpecs.Valid(), "alice", CancellationToken.None, JobId);

        await Assert.ThrowsAsync<JobIdTakenException>(() => submitter.SubmitAsync(TestSpecs.Valid(), "bob", CancellationToken.None, JobId));
    }

    [Fact]
    public async Task SubmitJob_MalformedJobId_InvalidArgumentNamingTheField()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var service = coordinator.Create<JobGrpcService>();

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            service.SubmitJob(new SubmitJobRequest { Spec = TestSpecs.Valid(), JobId = "my-job" }, new TestServerCallContext()));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("job_id", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitJob_NoJobId_EachSubmitIsANewJob()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var service = coordinator.Create<JobGrpcService>();

        var first = await service.SubmitJob(new SubmitJobRequest { Spec = TestSpecs.Valid() }, new TestServerCallContext());
        var second = await service.SubmitJob(new SubmitJobRequest { Spec = TestSpecs.Valid() }, new TestServerCallContext());

        Assert.NotEqual(first.Job.Id, second.Job.Id);
    }
}
