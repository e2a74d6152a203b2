using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using MlOps.Core.Digests;

namespace MlOps.Training;

/// <summary>The sections of a verified checkpoint file, still as bytes (see <see cref="CheckpointState"/>).</summary>
internal sealed record CheckpointContents(string Path, CheckpointHeader Header, byte[] ModelState, byte[] OptimizerState, byte[] RngState);

/// <summary>
/// The checkpoint container, one file so that it travels as one blob. All integers little-endian:
/// <code>
/// "MLOPSCKP"              8 bytes magic
/// uint32 version          FormatVersion
/// int64  payload length   bytes from here up to the digest
/// payload                 four sections, each an int64 length and that many bytes:
///                         header (UTF-8 JSON, CheckpointHeader), model state, optimizer state, torch RNG state
/// SHA-256                 32 bytes over everything before it
/// </code>
/// Written through <see cref="AtomicFile"/> and flushed to disk, so a reader sees the old file or the whole new one.
/// </summary>
internal static class CheckpointFile
{
    public const uint FormatVersion = 1;

    private const int PreambleBytes = 8 + 4 + 8;
    private const int DigestBytes = 32;
    private static readonly string[] SectionNames = ["header", "model state", "optimizer state", "rng state"];

    private static ReadOnlySpan<byte> Magic => "MLOPSCKP"u8;

    /// <summary>Writes the file atomically; returns its size and the SHA-256 of the whole file.</summary>
    public static (long Bytes, string Digest) Write(string path, CheckpointHeader header, byte[] modelState, byte[] optimizerState, byte[] rngState)
    {
        byte[][] sections = [JsonSerializer.SerializeToUtf8Bytes(header, CheckpointHeader.JsonOptions), modelState, optimizerState, rngState];
        var payloadLength = sections.Sum(s => sizeof(long) + (long)s.Length);
        var preamble = new byte[PreambleBytes];
        Magic.CopyTo(preamble);
        BinaryPrimitives.WriteUInt32LittleEndian(preamble.AsSpan(8), FormatVersion);
        BinaryPrimitives.WriteInt64LittleEndian(preamble.AsSpan(12), payloadLength);

        string? fileDigest = null;
        AtomicFile.Write(path, temp =>
        {
            using var content = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using var whole = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            void Put(ReadOnlySpan<byte> bytes)
            {
                stream.Write(bytes);
                content.AppendData(bytes);
                whole.AppendData(bytes);
            }

            Put(preamble);
            var length = new byte[sizeof(long)];
            foreach (var section in sections)
            {
                BinaryPrimitives.WriteInt64LittleEndian(length, section.Length);
                Put(length);
                Put(section);
            }

            var digest = content.GetHashAndReset();
            stream.Write(digest);
            whole.AppendData(digest);
            fileDigest = Sha256Digest.Format(whole.GetHashAndReset());
            stream.Flush(flushToDisk: true);
        });

        return (PreambleBytes + payloadLength + DigestBytes, fileDigest!);
    }

    /// <summary>Reads and verifies a checkpoint: magic, version, length, digest, section layout, header JSON.</summary>
    /// <exception cref="CheckpointException">Any of those is wrong; the message names the file and the problem.</exception>
    public static CheckpointContents Read(string path)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CheckpointException(path, "the file does not exist", ex);
        }

        using (stream)
        {
            var length = stream.Length;
            var preamble = new byte[PreambleBytes];
            var got = stream.ReadAtLeast(preamble, PreambleBytes, throwOnEndOfStream: false);
            if (got < Magic.Length || !preamble.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            {
                throw new CheckpointException(path, "not a checkpoint file (bad magic: it does not start with \"MLOPSCKP\")");
            }

            if (got < PreambleBytes)
            {
                throw new CheckpointException(path, $"truncated: {length} bytes, shorter than the {PreambleBytes}-byte preamble");
            }

            var version = BinaryPrimitives.ReadUInt32LittleEndian(preamble.AsSpan(8));
            if (version != FormatVersion)
            {
                throw new CheckpointException(path, $"format version {version} is not supported (this build reads version {FormatVersion})");
            }

            var payloadLength = BinaryPrimitives.ReadInt64LittleEndian(preamble.AsSpan(12));
            if (payloadLength < 0 || payloadLength > Array.MaxLength)
            {
                throw new CheckpointException(path, $"corrupt preamble: payload length {payloadLength} is out of range");
            }

            var expected = PreambleBytes + payloadLength + DigestBytes;
            if (length < expected)
            {
                throw new CheckpointException(path, $"truncated: {length} bytes, the preamble announces {expected}");
            }

            if (length > expected)
            {
                throw new CheckpointException(path, $"{length - expected} unexpected bytes after the digest (the preamble announces {expected} bytes)");
            }

            var payload = new byte[payloadLength];
            stream.ReadExactly(payload);
            var stored = new byte[DigestBytes];
            stream.ReadExactly(stored);

            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            hash.AppendData(preamble);
            hash.AppendData(payload);
            var actual = hash.GetHashAndReset();
            if (!actual.AsSpan().SequenceEqual(stored))
            {
                throw new CheckpointException(
                    path, $"digest mismatch, the file is corrupt: stored {Sha256Digest.Format(stored)}, content hashes to {Sha256Digest.Format(actual)}");
            }

            var sections = SplitSections(path, payload);
            CheckpointHeader header;
            try
            {
                header = JsonSerializer.Deserialize<CheckpointHeader>(sections[0], CheckpointHeader.JsonOptions)
                    ?? throw new JsonException("the header is JSON null");
            }
            catch (JsonException ex)
            {
                throw new CheckpointException(path, $"the header is not valid: {ex.Message}", ex);
            }

            return new CheckpointContents(path, header, sections[1], sections[2], sections[3]);
        }
    }

    private static byte[][] SplitSections(string path, byte[] payload)
    {
        var sections = new byte[SectionNames.Length][];
        var offset = 0L;
        for (var i = 0; i < sections.Length; i++)
        {
            if (payload.Length - offset < sizeof(long))
            {
                throw new CheckpointException(path, $"the {SectionNames[i]} section is missing");
            }

            var length = BinaryPrimitives.ReadInt64LittleEndian(payload.AsSpan((int)offset));
            offset += sizeof(long);
            if (length < 0 || length > payload.Length - offset)
            {
                throw new CheckpointException(path, $"the {SectionNames[i]} section's length {length} runs past the payload");
            }

            sections[i] = payload.AsSpan((int)offset, (int)length).ToArray();
            offset += length;
        }

        if (offset != payload.Length)
        {
            throw new CheckpointException(path, $"{payload.Length - offset} unexpected bytes after the last section");
        }

        return sections;
    }
}
