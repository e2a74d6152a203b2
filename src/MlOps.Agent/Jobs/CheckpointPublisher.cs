using System.Globalization;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using MlOps.Artifacts;
using MlOps.Artifacts.Manifests;
using MlOps.Contracts;

namespace MlOps.Agent.Jobs;

/// <summary>
/// Moves checkpoints between the node and the artifact store: each one is an OCI artifact in
/// <c>checkpoints/&lt;job id&gt;</c> with a single checkpoint layer, where it stood (job, attempt, epoch, steps) in the
/// config and the manifest annotations, and tagged <c>attempt-&lt;n&gt;-step-&lt;global step&gt;</c>.
/// </summary>
internal sealed class CheckpointPublisher(IArtifactStore store)
{
    /// <summary>The config blob's media type (JSON: job id, attempt, epoch, step, global step, bytes, created).</summary>
    public const string ConfigMediaType = "application/vnd.mlops.checkpoint.config.v1+json";

    /// <summary>Manifest annotation keys, beside <see cref="OciAnnotations.Created"/>.</summary>
    public const string JobIdAnnotation = "mlops.job_id";
    public const string AttemptAnnotation = "mlops.attempt";
    public const string EpochAnnotation = "mlops.epoch";
    public const string StepAnnotation = "mlops.step";
    public const string GlobalStepAnnotation = "mlops.global_step";

    public static string RepositoryFor(string jobId) => "checkpoints/" + jobId;

    /// <summary>Pushes the file the child reported and returns the reference the coordinator records. The file is
    /// read once, from one open handle (the trainer deletes it as soon as it writes a newer one), and its digest and
    /// size must be what the child reported; otherwise nothing but the orphan blob is stored.</summary>
    /// <exception cref="InvalidDataException">The file is not what the child reported.</exception>
    public async Task<CheckpointRef> PushAsync(string jobId, int attempt, LocalCheckpoint checkpoint, DateTimeOffset createdAt,
        CancellationToken cancellationToken)
    {
        var repository = RepositoryFor(jobId);
        BlobDescriptor layer;
        await using (var file = new FileStream(checkpoint.Path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, useAsync: true))
        {
            layer = await store.PushBlobAsync(repository, file, OciMediaTypes.Checkpoint, cancellationToken);
        }

        if (layer.Digest != checkpoint.Digest || layer.Size != checkpoint.Bytes)
        {
            throw new InvalidDataException(
                $"checkpoint {checkpoint.Path} is {layer.Size} bytes with digest {layer.Digest}, but the trainer reported {checkpoint.Bytes} bytes with {checkpoint.Digest}");
        }

        var config = Config(jobId, attempt, checkpoint, createdAt);
        var configDescriptor = await store.PushBytesAsync(repository, config, ConfigMediaType, cancellationToken);
        var manifest = new OciManifest(
            configDescriptor with { MediaType = ConfigMediaType },
            [layer with { Annotations = new Dictionary<string, string> { [OciAnnotations.Title] = Path.GetFileName(checkpoint.Path) } }])
        {
            ArtifactType = OciMediaTypes.Checkpoint,
            Annotations = new Dictionary<string, string>
            {
                [OciAnnotations.Created] = OciAnnotations.FormatCreated(createdAt),
                [JobIdAnnotation] = jobId,
                [AttemptAnnotation] = Invariant(attempt),
                [EpochAnnotation] = Invariant(checkpoint.Epoch),
                [StepAnnotation] = Invariant(checkpoint.Step),
                [GlobalStepAnnotation] = Invariant(checkpoint.GlobalStep),
            },
        };
        var tag = $"attempt-{Invariant(attempt)}-step-{Invariant(checkpoint.GlobalStep)}";
        var digest = await store.PushManifestAsync(repository, manifest.ToJsonBytes(), OciMediaTypes.ImageManifest, tag, cancellationToken);
        return new CheckpointRef
        {
            Repository = repository,
            ManifestDigest = digest,
            FileDigest = layer.Digest,
            Bytes = layer.Size,
            Epoch = checkpoint.Epoch,
            Step = checkpoint.Step,
            GlobalStep = checkpoint.GlobalStep,
            Attempt = attempt,
            CreatedAt = Timestamp.FromDateTimeOffset(createdAt),
        };
    }

    /// <summary>Downloads the checkpoint layer of <paramref name="checkpoint"/> to <paramref name="path"/>, verified
    /// against the store's digest and against <see cref="CheckpointRef.FileDigest"/>.</summary>
    /// <exception cref="InvalidDataException">The artifact has no single checkpoint layer, or not the recorded one.</exception>
    public async Task PullAsync(CheckpointRef checkpoint, string path, CancellationToken cancellationToken)
    {
        var content = await store.GetManifestAsync(checkpoint.Repository, checkpoint.ManifestDigest, cancellationToken);
        var where = $"{checkpoint.Repository}@{content.Digest}";
        var manifest = OciManifest.Parse(content.Bytes, where);
        var layers = manifest.Layers.Where(l => l.MediaType == OciMediaTypes.Checkpoint).ToList();
        if (layers.Count != 1)
        {
            throw new InvalidDataException($"{where} has {layers.Count} checkpoint layers, not one");
        }

        var layer = layers[0];
        if (!string.IsNullOrEmpty(checkpoint.FileDigest) && layer.Digest != checkpoint.FileDigest)
        {
            throw new InvalidDataException($"{where} holds checkpoint {layer.Digest}, not the recorded {checkpoint.FileDigest}");
        }

        // Verified while downloading (digest and size); a bad blob leaves nothing at the path.
        await store.DownloadBlobAsync(checkpoint.Repository, layer, path, cancellationToken);
    }

    private static byte[] Config(string jobId, int attempt, LocalCheckpoint checkpoint, DateTimeOffset createdAt)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("jobId", jobId);
            writer.WriteNumber("attempt", attempt);
            writer.WriteNumber("epoch", checkpoint.Epoch);
            writer.WriteNumber("step", checkpoint.Step);
            writer.WriteNumber("globalStep", checkpoint.GlobalStep);
            writer.WriteNumber("bytes", checkpoint.Bytes);
            writer.WriteString("created", OciAnnotations.FormatCreated(createdAt));
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
