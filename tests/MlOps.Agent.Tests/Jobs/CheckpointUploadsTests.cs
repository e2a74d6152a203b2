using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Agent.Jobs;
using MlOps.Artifacts;
using MlOps.Artifacts.Configuration;
using MlOps.Contracts;
using MlOps.Core.Digests;
using MlOps.Testing;

namespace MlOps.Agent.Tests.Jobs;

public sealed class CheckpointUploadsTests : IDisposable
{
    private readonly TempDirectory _temp = new("mlops-uploads");
    private readonly JobAssignment _assignment = new() { JobId = "j-up", Attempt = 3 };

    [Fact]
    public async Task Offer_WhileOneUploads_UploadsOnlyTheNewestPendingNext()
    {
        var store = new GatedStoreForTests(ArtifactStoreFactory.CreateLayout(_temp.Combine("store")));
        var outbox = new RecordingOutbox();
        using var uploads = Uploads(store, outbox, []);

        uploads.Offer(Write(10));
        await store.FirstPushStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        uploads.Offer(Write(20));
        uploads.Offer(Write(30));
        store.ReleaseFirstPush.SetResult();
        await uploads.IdleAsync().WaitAsync(TimeSpan.FromSeconds(10));

        var steps = outbox.Messages.Where(m => m.Checkpointed is not null).Select(m => m.Checkpointed.Checkpoint.GlobalStep).ToList();
        Assert.Equal([10L, 30L], steps);
        Assert.All(outbox.Messages.Select(m => m.Checkpointed).OfType<JobCheckpointed>(), c => Assert.Equal(("j-up", 3), (c.JobId, c.Attempt)));
        Assert.Equal(30, uploads.LastUploaded!.GlobalStep);
    }

    [Fact]
    public async Task Offer_UploadFails_AddsJobLogLineAndPostsNoCheckpointed()
    {
        var store = new GatedStoreForTests(ArtifactStoreFactory.CreateLayout(_temp.Combine("store"))) { Failure = new ArtifactStoreUnavailableException("registry down") };
        store.ReleaseFirstPush.SetResult();
        var outbox = new RecordingOutbox();
        var jobLog = new List<string>();
        using var uploads = Uploads(store, outbox, jobLog);

        uploads.Offer(Write(10));
        await uploads.IdleAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.DoesNotContain(outbox.Messages, m => m.Checkpointed is not null);
        var line = Assert.Single(jobLog);
        Assert.Contains("could not upload checkpoint at epoch 1 step 10", line);
        Assert.Contains("registry down", line);
        Assert.Contains("registry down", uploads.LastFailure);
        Assert.Null(uploads.LastUploaded);
    }

    public void Dispose() => _temp.Dispose();

    private CheckpointUploads Uploads(IArtifactStore store, RecordingOutbox outbox, List<string> jobLog) =>
        new(_assignment, new CheckpointPublisher(store), outbox, line => { lock (jobLog) { jobLog.Add(line); } }, TimeProvider.System, NullLogger.Instance);

    // Unlike the trainer, keeps every file: the test is about which ones the uploader picks.
    private LocalCheckpoint Write(long globalStep)
    {
        var path = _temp.Combine("checkpoints", $"checkpoint-{globalStep:D9}.ckpt");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, BitConverter.GetBytes(globalStep));
        return new LocalCheckpoint { Path = path, Epoch = 1, Step = (int)globalStep, GlobalStep = globalStep, Bytes = 8, Digest = Sha256Digest.OfFile(path) };
    }

    /// <summary>Test double: a real store whose first blob push waits for the test, and that can fail every push.</summary>
    private sealed class GatedStoreForTests(IArtifactStore inner) : IArtifactStore
    {
        private int _pushes;

        public TaskCompletionSource FirstPushStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource ReleaseFirstPush { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Exception? Failure { get; init; }

        public string Location => inner.Location;

        public async Task<BlobDescriptor> PushBlobAsync(string repository, Stream content, string mediaType, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _pushes) == 1)
            {
                FirstPushStarted.TrySetResult();
                await ReleaseFirstPush.Task.WaitAsync(cancellationToken);
            }

            return Failure is null ? await inner.PushBlobAsync(repository, content, mediaType, cancellationToken) : throw Failure;
        }

        public Task<bool> BlobExistsAsync(string repository, string digest, CancellationToken cancellationToken = default) =>
            inner.BlobExistsAsync(repository, digest, cancellationToken);

        public Task<Stream> OpenBlobAsync(string repository, string digest, CancellationToken cancellationToken = default) =>
            inner.OpenBlobAsync(repository, digest, cancellationToken);

        public Task<string> PushManifestAsync(string repository, ReadOnlyMemory<byte> manifest, string mediaType, string? tag, CancellationToken cancellationToken = default) =>
            inner.PushManifestAsync(repository, manifest, mediaType, tag, cancellationToken);

        public Task<ManifestContent> GetManifestAsync(string repository, string reference, CancellationToken cancellationToken = default) =>
            inner.GetManifestAsync(repository, reference, cancellationToken);

        public Task<IReadOnlyList<string>> ListTagsAsync(string repository, CancellationToken cancellationToken = default) =>
            inner.ListTagsAsync(repository, cancellationToken);
    }
}
