using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;

namespace MlOps.Serving.Authentication;

/// <summary>
/// The bearer tokens that may call the inference endpoints, held as their SHA-256 digests: a whole snapshot that
/// replaces the previous one (on an agent, what the coordinator sends as <c>InferenceCredentials</c>). Until the
/// first snapshot no token is valid (fail closed). Thread-safe: a check reads one immutable snapshot, a replacement
/// swaps it.
/// </summary>
/// <remarks>
/// A token is looked up by its digest in a hash set. That lookup is not constant-time, but what its timing could
/// reveal is a digest, and the tokens are long random secrets: learning part of a SHA-256 digest helps no one find
/// a token. The token itself is never kept, compared byte by byte or logged.
/// </remarks>
public sealed class InferenceCredentialSet
{
    /// <summary>Length of a SHA-256 digest in bytes.</summary>
    public const int DigestLength = 32;

    /// <summary>Longest token hashed; a longer one is refused without hashing it.</summary>
    public const int MaxTokenLength = 4096;

    private volatile FrozenSet<Digest>? _digests;

    /// <summary>Whether a snapshot has arrived since the process started.</summary>
    public bool HasSnapshot => _digests is not null;

    /// <summary>Tokens in the current snapshot (0 before the first).</summary>
    public int Count => _digests?.Count ?? 0;

    /// <summary>
    /// Replaces the set with <paramref name="digests"/>, the SHA-256 of each valid token's UTF-8 bytes. An entry that
    /// is not 32 bytes long cannot match any token and is left out; the count of those is returned so the caller can
    /// say so.
    /// </summary>
    public int Replace(IEnumerable<ReadOnlyMemory<byte>> digests)
    {
        ArgumentNullException.ThrowIfNull(digests);
        var valid = new List<Digest>();
        var skipped = 0;
        foreach (var digest in digests)
        {
            if (digest.Length == DigestLength)
            {
                valid.Add(Digest.From(digest.Span));
            }
            else
            {
                skipped++;
            }
        }

        _digests = valid.ToFrozenSet();
        return skipped;
    }

    /// <summary>Whether <paramref name="token"/> is in the current snapshot.</summary>
    public TokenVerdict Check(ReadOnlySpan<char> token)
    {
        var digests = _digests;
        if (digests is null)
        {
            return TokenVerdict.NoSnapshot;
        }

        if (token.IsEmpty || token.Length > MaxTokenLength)
        {
            return TokenVerdict.Unknown;
        }

        var maxBytes = Encoding.UTF8.GetMaxByteCount(token.Length);
        var rented = maxBytes > 512 ? ArrayPool<byte>.Shared.Rent(maxBytes) : null;
        var buffer = rented is null ? stackalloc byte[512] : rented;
        var utf8 = buffer[..Encoding.UTF8.GetBytes(token, buffer)];
        try
        {
            Span<byte> hash = stackalloc byte[DigestLength];
            SHA256.HashData(utf8, hash);
            return digests.Contains(Digest.From(hash)) ? TokenVerdict.Valid : TokenVerdict.Unknown;
        }
        finally
        {
            // The secret does not linger in a pooled array or on the stack.
            CryptographicOperations.ZeroMemory(utf8);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The digest the set holds for <paramref name="token"/>: SHA-256 of its UTF-8 bytes.</summary>
    public static byte[] DigestOf(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>A SHA-256 digest as four words: equality and hashing without an array per lookup.</summary>
    private readonly record struct Digest(ulong A, ulong B, ulong C, ulong D)
    {
        public static Digest From(ReadOnlySpan<byte> bytes) => new(
            BinaryPrimitives.ReadUInt64LittleEndian(bytes),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[24..]));
    }
}

/// <summary>The outcome of <see cref="InferenceCredentialSet.Check"/>.</summary>
public enum TokenVerdict
{
    /// <summary>The token's digest is in the current snapshot.</summary>
    Valid,

    /// <summary>Not in the snapshot: unknown, revoked, expired, or malformed.</summary>
    Unknown,

    /// <summary>No snapshot has arrived yet, so no token is valid.</summary>
    NoSnapshot,
}
