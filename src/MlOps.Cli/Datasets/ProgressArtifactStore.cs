using MlOps.Artifacts;

namespace MlOps.Cli.Datasets;

/// <summary>
/// An <see cref="IArtifactStore"/> that reports every byte read from the blobs of <paramref name="mediaType"/> it
/// pushes, so <c>data push</c> can show progress whichever helper drives the upload. Everything else passes
/// straight through.
/// </summary>
internal sealed class ProgressArtifactStore(IArtifactStore inner, string mediaType, Action<long> onBytes) : IArtifactStore
{
    public string Location => inner.Location;

    public Task<BlobDescriptor> PushBlobAsync(string repository, Stream content, string blobMediaType, CancellationToken cancellationToken = default) =>
        inner.PushBlobAsync(repository, blobMediaType == mediaType ? new CountingStream(content, onBytes) : content, blobMediaType, cancellationToken);

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

    /// <summary>Read-only pass-through that counts what is read.</summary>
    private sealed class CountingStream(Stream inner, Action<long> onBytes) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));

        public override int Read(Span<byte> buffer) => Counted(inner.Read(buffer));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Counted(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Counted(int read)
        {
            if (read > 0)
            {
                onBytes(read);
            }

            return read;
        }
    }
}
