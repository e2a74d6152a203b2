using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Agent.Jobs;
using MlOps.Agent.Options;
using MlOps.Artifacts;
using MlOps.Contracts;
using MlOps.Testing;

namespace MlOps.Agent.Tests.Jobs;

public sealed class JobSupervisorTests : IDisposable
{
    private readonly TempDirectory _temp = new("mlops-supervisor");

    [Fact]
    public async Task Cancel_WhileDatasetIsFetched_ReportsCancelledAndNeverStartsTheProcess()
    {
        var store = new StalledStoreForTests();
        var outbox = new RecordingOutbox();
        var options = Microsoft.Extensions.Options.Options.Create(new AgentOptions { DataDirectory = _temp.Path });
        await using var supervisor = new JobSupervisor(outbox, options, store, Ledger(), TimeProvider.System, NullLogger<JobSupervisor>.Instance);
        var assignment = new JobAssignment
        {
            JobId = "j-1",
            Attempt = 1,
            DatasetRepository = "datasets/tiny",
            DatasetDigest = "sha256:" + new string('a', 64),
            Spec = new JobSpec { Name = "tiny" },
        };

        supervisor.Start(assignment);
        await store.Asked.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains(supervisor.Running, r => r.JobId == "j-1");

        supervisor.Cancel("j-1", 1, "test");
        store.Release.SetException(new ArtifactStoreUnavailableException("released after the cancel"));
        await Task.Delay(200);

        var completed = Assert.Single(outbox.Messages, m => m.Completed is not null).Completed;
        Assert.Equal(JobOutcome.Cancelled, completed.Outcome);
        Assert.DoesNotContain(outbox.Messages, m => m.Started is not null);
        Assert.Empty(supervisor.Running);
    }

    [Fact]
    public async Task Cancel_PreemptWhileDatasetIsFetched_ReportsPreemptedAtOnce()
    {
        var store = new StalledStoreForTests();
        var outbox = new RecordingOutbox();
        var options = Microsoft.Extensions.Options.Options.Create(new AgentOptions { DataDirectory = _temp.Path });
        await using var supervisor = new JobSupervisor(outbox, options, store, Ledger(), TimeProvider.System, NullLogger<JobSupervisor>.Instance);
        supervisor.Start(new JobAssignment
        {
            JobId = "j-3",
            Attempt = 2,
            DatasetRepository = "datasets/tiny",
            DatasetDigest = "sha256:" + new string('c', 64),
            Spec = new JobSpec { Name = "tiny" },
        });
        await store.Asked.Task.WaitAsync(TimeSpan.FromSeconds(10));

        supervisor.Cancel("j-3", 2, "higher priority", preempt: true);

        var completed = Assert.Single(outbox.Messages, m => m.Completed is not null).Completed;
        Assert.Equal(JobOutcome.Preempted, completed.Outcome);
        Assert.Equal(2, completed.Attempt);
        Assert.StartsWith("preempted: higher priority", completed.Message);
        Assert.Empty(supervisor.Running);
        store.Release.SetException(new ArtifactStoreUnavailableException("released after the preemption"));
        await Task.Delay(200);
        Assert.Single(outbox.Messages, m => m.Completed is not null);
        Assert.DoesNotContain(outbox.Messages, m => m.Started is not null);
    }

    [Fact]
    public async Task Cancel_PreemptJobNotRunningHere_ReportsPreemptedNotCancelled()
    {
        var outbox = new RecordingOutbox();
        var options = Microsoft.Extensions.Options.Options.Create(new AgentOptions { DataDirectory = _temp.Path });
        await using var supervisor = new JobSupervisor(outbox, options, new StalledStoreForTests(), Ledger(), TimeProvider.System, NullLogger<JobSupervisor>.Instance);

        supervisor.Cancel("j-gone", 4, "higher priority", preempt: true);

        var completed = Assert.Single(outbox.Messages).Completed;
        Assert.Equal(JobOutcome.Preempted, completed.Outcome);
        Assert.Contains("no checkpoint was saved", completed.Message);
    }

    [Fact]
    public async Task Cancel_WhileBaselineIsFetched_ReportsCancelledAndNeverStartsTheProcess()
    {
        var store = new StalledStoreForTests();
        var outbox = new RecordingOutbox();
        var options = Microsoft.Extensions.Options.Options.Create(new AgentOptions { DataDirectory = _temp.Path });
        await using var supervisor = new JobSupervisor(outbox, options, store, Ledger(), TimeProvider.System, NullLogger<JobSupervisor>.Instance);

        // No dataset to fetch and no checkpoint: the baseline alone must send the attempt through the prepare path.
        supervisor.Start(new JobAssignment
        {
            JobId = "j-4",
            Attempt = 1,
            DatasetPath = _temp.Combine("data"),
            Spec = new JobSpec { Name = "tiny" },
            Baseline = new BaselineArtifact { Model = "tiny", Version = 1, Repository = "models/tiny", ManifestDigest = "sha256:" + new string('d', 64) },
        });
        await store.Asked.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains(supervisor.Running, r => r.JobId == "j-4");

        supervisor.Cancel("j-4", 1, "test");
        store.Release.SetException(new ArtifactStoreUnavailableException("released after the cancel"));
        await Task.Delay(200);

        var completed = Assert.Single(outbox.Messages, m => m.Completed is not null).Completed;
        Assert.Equal(JobOutcome.Cancelled, completed.Outcome);
        Assert.DoesNotContain(outbox.Messages, m => m.Started is not null);
        Assert.Empty(supervisor.Running);
    }

    [Fact]
    public async Task Start_DatasetFetchFails_ReportsFailedNamingTheDataset()
    {
        var store = new StalledStoreForTests();
        var outbox = new RecordingOutbox();
        var options = Microsoft.Extensions.Options.Options.Create(new AgentOptions { DataDirectory = _temp.Path });
        await using var supervisor = new JobSupervisor(outbox, options, store, Ledger(), TimeProvider.System, NullLogger<JobSupervisor>.Instance);

        supervisor.Start(new JobAssignment
        {
            JobId = "j-2",
            Attempt = 1,
            DatasetRepository = "datasets/tiny",
            DatasetDigest = "sha256:" + new string('b', 64),
            Spec = new JobSpec { Name = "tiny" },
        });
        await store.Asked.Task.WaitAsync(TimeSpan.FromSeconds(10));
        store.Release.SetException(new ArtifactCorruptException("datasets/tiny: blob is corrupt"));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!outbox.Messages.Any(m => m.Completed is not null) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        var completed = Assert.Single(outbox.Messages, m => m.Completed is not null).Completed;
        Assert.Equal(JobOutcome.Failed, completed.Outcome);
        Assert.Contains("datasets/tiny", completed.Message);
        Assert.Contains("corrupt", completed.Message);
    }

    public void Dispose() => _temp.Dispose();

    private AttemptLedger Ledger() => new(_temp.Path, TimeProvider.System, NullLogger<AttemptLedger>.Instance);

    /// <summary>Test double: an artifact store whose manifest read waits until the test releases it.</summary>
    private sealed class StalledStoreForTests : IArtifactStore
    {
        public TaskCompletionSource Asked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<ManifestContent> Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Location => "stalled";

        public Task<ManifestContent> GetManifestAsync(string repository, string reference, CancellationToken cancellationToken = default)
        {
            Asked.TrySetResult();
            return Release.Task;
        }

        public Task<bool> BlobExistsAsync(string repository, string digest, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<BlobDescriptor> PushBlobAsync(string repository, Stream content, string mediaType, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<Stream> OpenBlobAsync(string repository, string digest, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<string> PushManifestAsync(string repository, ReadOnlyMemory<byte> manifest, string mediaType, string? tag, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<IReadOnlyList<string>> ListTagsAsync(string repository, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
