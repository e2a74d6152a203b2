using System.Security.Cryptography;
using MlOps.Core.Digests;

namespace MlOps.Artifacts.Verification;

/// <summary>
/// A read-only stream that hashes what passes through it and, at the end of the data, throws
/// <see cref="ArtifactCorruptException"/> when the bytes do not match the expected digest or length. A reader that
/// reaches the end without an exception has exactly the bytes the digest names; one that stops early has been told
/// nothing, so callers write to a temporary place and keep the result only after reading to the end.
/// </summary>
public sealed class VerifyingStream : Stream
{
    private readonly Stream _inner;
    private readonly string _expectedDigest;
    private readonly long? _expectedLength;
    private readonly string _description;
    private readonly IDisposable? _owner;
    private readonly Func<Exception, Exception?>? _translateReadError;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _read;
    private bool _verified;

    /// <param name="inner">The unverified bytes; disposed with this stream.</param>
    /// <param name="expectedDigest">The digest the bytes must have.</param>
    /// <param name="expectedLength">The length they must have, when known (from a descriptor or Content-Length).</param>
    /// <param name="description">Names the blob in error messages (store, repository, digest).</param>
    /// <param name="owner">Disposed with this stream (e.g. the HTTP response the bytes come from).</param>
    /// <param name="translateReadError">Maps an exception from <paramref name="inner"/> to the one to throw instead.</param>
    public VerifyingStream(Stream inner, string expectedDigest, long? expectedLength, string description,
        IDisposable? owner = null, Func<Exception, Exception?>? translateReadError = null)
    {
        _inner = inner;
        _expectedDigest = expectedDigest;
        _expectedLength = expectedLength;
        _description = description;
        _owner = owner;
        _translateReadError = translateReadError;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _expectedLength ?? throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n;
        try
        {
            n = _inner.Read(buffer);
        }
        catch (Exception e) when (_translateReadError?.Invoke(e) is { } translated)
        {
            throw translated;
        }

        return Account(buffer[..n]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n;
        try
        {
            n = await _inner.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception e) when (_translateReadError?.Invoke(e) is { } translated)
        {
            throw translated;
        }

        return Account(buffer.Span[..n]);
    }

    private int Account(ReadOnlySpan<byte> data)
    {
        if (data.Length == 0)
        {
            if (!_verified)
            {
                Verify();
            }

            return 0;
        }

        _read += data.Length;
        if (_read > _expectedLength)
        {
            throw new ArtifactCorruptException($"{_description}: more than the expected {_expectedLength} bytes; not served");
        }

        _hash.AppendData(data);
        if (_read == _expectedLength)
        {
            // Verify with the last bytes, before handing them over, for readers that stop at Length.
            Verify();
        }

        return data.Length;
    }

    private void Verify()
    {
        if (_expectedLength is { } length && _read != length)
        {
            throw new ArtifactCorruptException($"{_description}: {_read} bytes where {length} were expected (truncated); not served");
        }

        var actual = Sha256Digest.Format(_hash.GetHashAndReset());
        if (actual != _expectedDigest)
        {
            throw new ArtifactCorruptException(
                $"{_description}: content hashes to {actual}, not {_expectedDigest} ({_read} bytes; corrupt); not served");
        }

        _verified = true;
    }

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
            _inner.Dispose();
            _owner?.Dispose();
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }
}
