using System.Security.Cryptography;
using System.Text;

namespace MlOps.Coordinator.Access;

/// <summary>
/// API token secrets: <c>mlops_tok_XXXXXXXXXXXX_SECRET</c>, where <c>tok_XXXXXXXXXXXX</c> is the token's public id and
/// SECRET 32 random bytes in base64url. The store keeps only the SHA-256 of the whole string: the secret carries 256
/// bits of entropy, so a fast hash is enough (no guessing attack can enumerate it) and lets every call be checked by one
/// lookup. The id inside lets logs and errors name a token without revealing it.
/// </summary>
public static class TokenSecrets
{
    private const string Prefix = "mlops_";

    /// <summary>A new public id and the secret that embeds it.</summary>
    public static (string Id, string Secret) Generate()
    {
        var id = "tok_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (id, $"{Prefix}{id}_{secret}");
    }

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    /// <summary>The public id inside a secret, or null when it is not shaped like one (safe to log).</summary>
    public static string? IdOf(string secret)
    {
        if (!secret.StartsWith(Prefix + "tok_", StringComparison.Ordinal) || secret.Length < Prefix.Length + 17)
        {
            return null;
        }

        var id = secret.Substring(Prefix.Length, 16);
        return id.Skip(4).All(char.IsAsciiHexDigitLower) && secret[Prefix.Length + 16] == '_' ? id : null;
    }
}
