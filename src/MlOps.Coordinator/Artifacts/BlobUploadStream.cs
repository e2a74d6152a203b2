using System.Security.Cryptography;
using Grpc.Core;
using MlOps.Contracts;
using MlOps.Core.Digests;

namespace MlOps.Coordinator.Artifacts;

/// <summary>
/// A read-only stream over the chunks of a <c>PushBlob</c> call, handed straight to the store's
/// <c>PushBlobAsync</c> (no copy on the coordinator's disk besides the store's own). It hashes what passes
/// through; when the caller named an expected digest and the bytes hash differently, the last read throws
/// <see cref="BlobDigestMismatchException"/>, so the store's write fails before it commits and nothing is stored.
/// </summary>
internal sealed class BlobUploadStream : Stream
{
    private readonly IAsyncStreamReader<BlobChunk> _chunks;
    private readonly string? _expectedDigest;
    private readonly long _maxBytes;
    private readonly CancellationToken _cancellationToken;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private ReadOnlyMemory<byte> _current;
    private bool _ended;
    private long _length;

    /// <param name="first">The call's first chunk (already read).</param>
    /// <param name="chunks">The rest of the call.</param>
    /// <param name="expectedDigest">The digest the client says the bytes have; null or empty for none.</param>
    /// <param name="maxBytes">Most bytes the blob may have: one more and the read throws <see cref="BlobTooLargeException"/>,
    /// so the store's write fails before it commits, whatever the client claims.</param>
    /// <param name="cancellationToken">The call's cancellation.</param>
    public BlobUploadStream(BlobChunk first, IAsyncStreamReader<BlobChunk> chunks, string? expectedDigest, long maxBytes, CancellationToken cancellationToken)
    {
        _chunks = chunks;
        _expectedDigest = string.IsNullOrEmpty(expectedDigest) ? null : expectedDigest;
        _maxBytes = maxBytes;
        _cancellationToken = cancellationToken;
        Accept(first);
    }

    /// <summary>The digest of every byte read so far; the blob's digest once the stream has ended.</summary>
    public string? Digest { get; private set; }

    public long BytesRead => _length;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _length - _current.Length; set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_current.IsEmpty && !_ended)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(_cancellationToken, cancellationToken);
            if (await _chunks.MoveNext(linked.Token))
            {
                Accept(_chunks.Current);
            }
            else
            {
                End();
            }
        }

        var n = Math.Min(buffer.Length, _current.Length);
        _current[..n].CopyTo(buffer);
        _current = _current[n..];
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // A store that reads synchronously blocks a thread per upload; every store in this repository reads asynchronously.
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Accept(BlobChunk chunk)
    {
        if (_length + chunk.Data.Length > _maxBytes)
        {
            throw new BlobTooLargeException(_maxBytes);
        }

        _current = chunk.Data.Memory;
        _hash.AppendData(chunk.Data.Span);
        _length += chunk.Data.Length;
    }

    private void End()
    {
        _ended = true;
        Digest = Sha256Digest.Format(_hash.GetHashAndReset());
        if (_expectedDigest is not null && _expectedDigest != Digest)
        {
            throw new BlobDigestMismatchException(_expectedDigest, Digest, _length);
        }
    }
}

/// <summary>The uploaded bytes do not hash to the digest the client said they would.</summary>
internal sealed class BlobDigestMismatchException(string expected, string actual, long size)
    : IOException($"the uploaded {size} bytes hash to {actual}, not to the expected {expected}")
{
    public string Expected { get; } = expected;

    public string Actual { get; } = actual;
}

/// <summary>The upload passed the coordinator's blob size limit (Artifacts:MaxBlobBytes).</summary>
internal sealed class BlobTooLargeException(long maxBytes)
    : IOException($"the blob is larger than the {maxBytes}-byte limit ({MlOps.Artifacts.Configuration.ArtifactStoreOptions.SectionName}:MaxBlobBytes)")
{
    public long MaxBytes { get; } = maxBytes;
}
