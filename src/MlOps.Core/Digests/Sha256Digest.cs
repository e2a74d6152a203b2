using System.Buffers;
using System.Security.Cryptography;

namespace MlOps.Core.Digests;

/// <summary>SHA-256 digests in the OCI form <c>sha256:&lt;64 lowercase hex&gt;</c>.</summary>
public static class Sha256Digest
{
    public const string Prefix = "sha256:";

    private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");

    public static string Format(ReadOnlySpan<byte> hash) => Prefix + Convert.ToHexStringLower(hash);

    public static string OfBytes(ReadOnlySpan<byte> data) => Format(SHA256.HashData(data));

    public static async Task<string> OfFileAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        return Format(await SHA256.HashDataAsync(stream, cancellationToken));
    }

    public static string OfFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Format(SHA256.HashData(stream));
    }

    /// <summary>True when <paramref name="digest"/> is well-formed (prefix and 64 lowercase hex digits).</summary>
    public static bool IsValid(string? digest) =>
        digest is { Length: 71 } && digest.StartsWith(Prefix, StringComparison.Ordinal) &&
        digest.AsSpan(Prefix.Length).IndexOfAnyExcept(LowerHex) < 0;
}
