using MlOps.Core.Digests;

namespace MlOps.Agent.Jobs;

/// <summary>
/// The node-local, content-addressed artifact directory: <c>blobs/sha256/&lt;hex&gt;</c> (the OCI layout's blob
/// path). A file is moved in only after its digest is recomputed and matches what the producer claimed.
/// </summary>
internal sealed class LocalArtifactStore(string root)
{
    public string Root { get; } = root;

    /// <summary>Verifies <paramref name="sourcePath"/> against <paramref name="expectedDigest"/> and moves it into
    /// the store. Returns the stored path. Throws <see cref="InvalidDataException"/> on a digest mismatch.</summary>
    public async Task<string> AddAsync(string sourcePath, string expectedDigest, CancellationToken cancellationToken)
    {
        var actual = await Sha256Digest.OfFileAsync(sourcePath, cancellationToken);
        if (actual != expectedDigest)
        {
            throw new InvalidDataException($"{sourcePath} has digest {actual}, but the trainer reported {expectedDigest}");
        }

        var directory = Path.Combine(Root, "blobs", "sha256");
        Directory.CreateDirectory(directory);
        var target = Path.Combine(directory, actual[Sha256Digest.Prefix.Length..]);
        if (File.Exists(target))
        {
            // Same content already stored (content addressing): keep the existing copy.
            File.Delete(sourcePath);
        }
        else
        {
            // Same file system as the job directory, so the rename is atomic.
            File.Move(sourcePath, target);
        }

        return target;
    }
}
