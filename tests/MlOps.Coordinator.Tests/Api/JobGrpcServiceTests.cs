using System.Text.Json;
using Grpc.Core;
using MlOps.Contracts;
using MlOps.Coordinator.Api;
using MlOps.Coordinator.Storage;
using MlOps.Coordinator.Tests.Infrastructure;
using MlOps.Coordinator.Tests.TestData;
using MlOps.Core.Datasets;

namespace MlOps.Coordinator.Tests.Api;

/// <summary>The job API called directly with a test call context: validation, owner defaults and status codes.</summary>
public sealed class JobGrpcServiceTests
{
    [Fact]
    public async Task SubmitJob_SeveralBadFields_InvalidArgumentListsEveryFieldAndStoresNothing()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var spec = TestSpecs.Valid();
        spec.Name = "Bad Name!";
        spec.HyperParameters.Epochs = 0;
        spec.HyperParameters.LearningRate = -1;
        spec.Resources.Gpus = -2;

        var ex = await Assert.ThrowsAsync<RpcException>(() => SubmitAsync(coordinator, spec));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        var fields = FieldErrors(ex).Select(e => e.Field).ToList();
        Assert.Equal(["name", "hyper_parameters.learning_rate", "hyper_parameters.epochs", "resources.gpus"], fields);
        foreach (var field in fields)
        {
            Assert.Contains(field + ": ", ex.Status.Detail);
        }

        Assert.Equal(3, ex.Status.Detail.Count(c => c == ';'));
        await AssertNothingStoredAsync(coordinator);
    }

    [Fact]
    public async Task SubmitJob_UnknownDataset_DatasetNameError()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var spec = TestSpecs.Valid();
        spec.Dataset.Name = "no-such-data";

        var ex = await Assert.ThrowsAsync<RpcException>(() => SubmitAsync(coordinator, spec));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        var error = Assert.Single(FieldErrors(ex));
        Assert.Equal("dataset.name", error.Field);
        Assert.Contains("no-such-data", error.Message);
        await AssertNothingStoredAsync(coordinator);
    }

    [Fact]
    public async Task SubmitJob_TruncatedDatasetFile_ErrorNamesTheFile()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var truncated = FourPixelDataset.Truncate(coordinator.DatasetPath, MnistFormat.FileNames[0]);

        var ex = await Assert.ThrowsAsync<RpcException>(() => SubmitAsync(coordinator, TestSpecs.Valid()));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        var error = Assert.Single(FieldErrors(ex));
        Assert.Equal("dataset", error.Field);
        Assert.Contains(truncated, error.Message);
        Assert.Contains(truncated, ex.Status.Detail);
        await AssertNothingStoredAsync(coordinator);
    }

    [Fact]
    public async Task SubmitJob_DigestDiffers_DatasetDigestError()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var spec = TestSpecs.Valid();
        spec.Dataset.Digest = "sha256:" + new string('0', 64);

        var ex = await Assert.ThrowsAsync<RpcException>(() => SubmitAsync(coordinator, spec));

        Assert.Equal("dataset.digest", Assert.Single(FieldErrors(ex)).Field);
        await AssertNothingStoredAsync(coordinator);
    }

    [Fact]
    public async Task SubmitJob_ModelDoesNotFitDataset_InputShapeAndOutputSizeErrors()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var spec = TestSpecs.Valid();
        spec.Model.InputShape.Clear();
        spec.Model.InputShape.AddRange([1, 28, 28]);
        spec.Model.Layers[^1].Linear.OutFeatures = 7;

        var ex = await Assert.ThrowsAsync<RpcException>(() => SubmitAsync(coordinator, spec));

        Assert.Equal(["model.input_shape", "model.layers[3].linear.out_features"], FieldErrors(ex).Select(e => e.Field));
        Assert.Contains("10 classes", ex.Status.Detail);
        await AssertNothingStoredAsync(coordinator);
    }

    [Fact]
    public async Task SubmitJob_MatchingDigest_AcceptedWithDigestRecorded()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var digest = coordinator.Get<DatasetCatalog>().Inspect(TestSpecs.TinyDataset).Digest;
        var spec = TestSpecs.Valid();
        spec.Dataset.Digest = digest;

        var response = await SubmitAsync(coordinator, spec);

        Assert.Equal(JobState.Queued, response.Job.State);
        Assert.Equal(digest, response.Job.DatasetDigest);
        Assert.Equal(3, response.Job.MaxAttempts);
        Assert.StartsWith("j-", response.Job.Id);
    }

    [Theory]
    [InlineData("", "alice", "alice")]
    [InlineData("", null, "anonymous")]
    [InlineData("bob", "alice", "bob")]
    public async Task SubmitJob_OwnerDefaults_FromSpecThenHeaderThenAnonymous(string specOwner, string? header, string expected)
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var spec = TestSpecs.Valid();
        spec.Owner = specOwner;
        var headers = new Metadata();
        if (header is not null)
        {
            headers.Add(JobGrpcService.UserHeader, header);
        }

        var response = await coordinator.Create<JobGrpcService>()
            .SubmitJob(new SubmitJobRequest { Spec = spec }, new TestServerCallContext(headers));

        Assert.Equal(expected, response.Job.Spec.Owner);
    }

    [Fact]
    public async Task GetJob_UnknownId_NotFound()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            coordinator.Create<JobGrpcService>().GetJob(new GetJobRequest { JobId = "j-nope" }, new TestServerCallContext()));

        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.Contains("job_id", ex.Status.Detail);
    }

    [Fact]
    public async Task GetJob_EmptyId_InvalidArgument()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            coordinator.Create<JobGrpcService>().GetJob(new GetJobRequest(), new TestServerCallContext()));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal("job_id", Assert.Single(FieldErrors(ex)).Field);
    }

    [Fact]
    public async Task CancelJob_QueuedThenAgain_CancelledThenFailedPrecondition()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var service = coordinator.Create<JobGrpcService>();
        var job = (await SubmitAsync(coordinator, TestSpecs.Valid())).Job;

        var cancelled = await service.CancelJob(new CancelJobRequest { JobId = job.Id }, new TestServerCallContext());
        var again = await Assert.ThrowsAsync<RpcException>(() =>
            service.CancelJob(new CancelJobRequest { JobId = job.Id }, new TestServerCallContext()));

        Assert.Equal(JobState.Cancelled, cancelled.State);
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
        Assert.Contains("CANCELLED", again.Status.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task CancelJob_UnknownId_NotFound()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            coordinator.Create<JobGrpcService>().CancelJob(new CancelJobRequest { JobId = "j-nope" }, new TestServerCallContext()));

        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
    }

    [Fact]
    public async Task ListJobs_BadTokenAndNegativePageSize_InvalidArgument()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var service = coordinator.Create<JobGrpcService>();

        var badToken = await Assert.ThrowsAsync<RpcException>(() =>
            service.ListJobs(new ListJobsRequest { PageToken = "garbage" }, new TestServerCallContext()));
        var badSize = await Assert.ThrowsAsync<RpcException>(() =>
            service.ListJobs(new ListJobsRequest { PageSize = -1, States = { JobState.Unspecified } }, new TestServerCallContext()));

        Assert.Equal("page_token", Assert.Single(FieldErrors(badToken)).Field);
        Assert.Equal(["states[0]", "page_size"], FieldErrors(badSize).Select(e => e.Field));
    }

    [Fact]
    public async Task ListJobs_PageSizeTwo_PagesThroughEveryJob()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var service = coordinator.Create<JobGrpcService>();
        var submitted = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            submitted.Add((await SubmitAsync(coordinator, TestSpecs.Valid($"job-{i}"))).Job.Id);
        }

        var listed = new List<string>();
        var request = new ListJobsRequest { PageSize = 2 };
        do
        {
            var page = await service.ListJobs(request, new TestServerCallContext());
            listed.AddRange(page.Jobs.Select(j => j.Id));
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken != "");

        Assert.Equal(Enumerable.Reverse(submitted), listed);
    }

    private static Task<SubmitJobResponse> SubmitAsync(TestCoordinator coordinator, JobSpec spec) =>
        coordinator.Create<JobGrpcService>().SubmitJob(new SubmitJobRequest { Spec = spec }, new TestServerCallContext());

    private static List<(string Field, string Message)> FieldErrors(RpcException ex)
    {
        var json = ex.Trailers.GetValue(RpcErrors.FieldErrorsTrailer);
        Assert.NotNull(json);
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray().Select(e => (e.GetProperty("field").GetString()!, e.GetProperty("message").GetString()!))];
    }

    private static async Task AssertNothingStoredAsync(TestCoordinator coordinator)
    {
        var page = await coordinator.Store.ListJobsAsync(new JobQuery([], null, 0, null), CancellationToken.None);
        Assert.Empty(page.Jobs);
    }
}
