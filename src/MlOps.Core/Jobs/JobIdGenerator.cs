using System.Buffers.Binary;
using System.Security.Cryptography;

namespace MlOps.Core.Jobs;

/// <summary>
/// Job ids: <c>j-</c> and 16 characters of Crockford base32 (lowercase) over 48 bits of Unix milliseconds
/// and 32 random bits. Ids sort by creation time as plain strings, are short enough to type, and collide
/// only when two jobs in the same millisecond draw the same 32 random bits (the store's key rejects that).
/// </summary>
public sealed class JobIdGenerator(TimeProvider timeProvider)
{
    public const string Prefix = "j-";

    private const string Alphabet = "0123456789abcdefghjkmnpqrstvwxyz";

    public string Next()
    {
        var millis = (ulong)timeProvider.GetUtcNow().ToUnixTimeMilliseconds() & 0xFFFF_FFFF_FFFFUL;
        Span<byte> random = stackalloc byte[4];
        RandomNumberGenerator.Fill(random);
        return Format(millis, BinaryPrimitives.ReadUInt32BigEndian(random));
    }

    /// <summary>True for an id of this form (a client-chosen id must be one).</summary>
    public static bool IsValid(string? id) =>
        id is { Length: 18 } && id.StartsWith(Prefix, StringComparison.Ordinal) && id.AsSpan(Prefix.Length).IndexOfAnyExcept(Digits) < 0;

    private static readonly System.Buffers.SearchValues<char> Digits = System.Buffers.SearchValues.Create(Alphabet);

    public static string Format(ulong millis, ulong random)
    {
        // 80 bits = 16 base32 digits; time in the high bits so the text sorts by time.
        Span<char> text = stackalloc char[Prefix.Length + 16];
        Prefix.AsSpan().CopyTo(text);
        UInt128 value = ((UInt128)millis << 32) | random;
        for (var i = text.Length - 1; i >= Prefix.Length; i--)
        {
            text[i] = Alphabet[(int)(value & 31)];
            value >>= 5;
        }

        return new string(text);
    }
}
