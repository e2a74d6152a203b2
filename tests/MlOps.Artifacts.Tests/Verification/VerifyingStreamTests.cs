using MlOps.Artifacts.Tests.Infrastructure;
using MlOps.Artifacts.Verification;
using MlOps.Core.Digests;

namespace MlOps.Artifacts.Tests.Verification;

public sealed class VerifyingStreamTests
{
    private readonly byte[] _content = TestData.RandomBytes(10_000);

    private string Digest => Sha256Digest.OfBytes(_content);

    [Fact]
    public async Task ReadToEnd_MatchingBytes_ReturnsThem()
    {
        await using var stream = new VerifyingStream(new MemoryStream(_content), Digest, _content.Length, "test blob");

        Assert.Equal(_content, await TestData.ReadAllAsync(stream));
    }

    [Fact]
    public async Task ReadToEnd_OneBitFlipped_ThrowsCorrupt()
    {
        var damaged = (byte[])_content.Clone();
        damaged[5000] ^= 1;
        await using var stream = new VerifyingStream(new MemoryStream(damaged), Digest, expectedLength: null, "test blob");

        var error = await Assert.ThrowsAsync<ArtifactCorruptException>(() => TestData.ReadAllAsync(stream));

        Assert.Contains("test blob", error.Message);
        Assert.Contains(Digest, error.Message);
    }

    [Fact]
    public async Task ReadToEnd_Truncated_ThrowsCorruptSayingTruncated()
    {
        await using var stream = new VerifyingStream(new MemoryStream(_content[..9000]), Digest, _content.Length, "test blob");

        var error = await Assert.ThrowsAsync<ArtifactCorruptException>(() => TestData.ReadAllAsync(stream));

        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public async Task Read_MoreBytesThanExpected_ThrowsCorrupt()
    {
        await using var stream = new VerifyingStream(new MemoryStream([.. _content, 0]), Digest, _content.Length, "test blob");

        await Assert.ThrowsAsync<ArtifactCorruptException>(() => TestData.ReadAllAsync(stream));
    }

    [Fact]
    public void Read_ReaderStopsAtLength_VerifiedWithLastBytes()
    {
        var damaged = (byte[])_content.Clone();
        damaged[0] ^= 1;
        using var stream = new VerifyingStream(new MemoryStream(damaged), Digest, _content.Length, "test blob");
        var buffer = new byte[_content.Length];

        // A reader that stops once it has Length bytes never asks for the end; the last read must still fail.
        Assert.Throws<ArtifactCorruptException>(() => stream.ReadExactly(buffer));
    }

    [Fact]
    public async Task ReadToEnd_InnerFails_TranslatedException()
    {
        var failing = new VerifyingStream(new ThrowingStream(), Digest, null, "test blob",
            translateReadError: e => new ArtifactStoreUnavailableException("translated", e));

        await Assert.ThrowsAsync<ArtifactStoreUnavailableException>(() => TestData.ReadAllAsync(failing));
    }

    private sealed class ThrowingStream : MemoryStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            throw new IOException("connection reset");

        public override int Read(byte[] buffer, int offset, int count) => throw new IOException("connection reset");
    }
}
