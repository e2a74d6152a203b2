using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MlOps.Core.Certificates;

/// <summary>
/// The certificate directory: <c>ca.crt</c> and <c>ca.key</c>, then <c>NAME.crt</c> and <c>NAME.key</c> per node.
/// Certificates are PEM; keys PEM PKCS#8, unencrypted (a service reads them at start), so they are written mode 0600.
/// A <c>NAME.crt</c> holds the node's certificate alone: peers trust <c>ca.crt</c>, and there is no intermediate.
/// </summary>
public static class CertificateFiles
{
    public const string AuthorityCertificateFile = "ca.crt";

    public const string AuthorityKeyFile = "ca.key";

    /// <summary>rw------- : only the owner (the service user) reads a private key.</summary>
    public const UnixFileMode KeyFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode CertificateFileMode = KeyFileMode | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public static string AuthorityCertificatePath(string directory) => Path.Combine(directory, AuthorityCertificateFile);

    public static string AuthorityKeyPath(string directory) => Path.Combine(directory, AuthorityKeyFile);

    public static string CertificatePath(string directory, string name) => Path.Combine(directory, name + ".crt");

    public static string KeyPath(string directory, string name) => Path.Combine(directory, name + ".key");

    /// <summary>
    /// Writes the certificate and its private key; the directory is created (mode 0700) when missing. Each file is
    /// written to a temporary name and renamed, so a reader never sees half a key and a replaced key is never readable
    /// by others for a moment. Without <paramref name="overwrite"/> an existing file is an error naming it.
    /// </summary>
    public static void Write(X509Certificate2 certificate, string certificatePath, string keyPath, bool overwrite)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var key = (AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey() ?? certificate.GetRSAPrivateKey()
            ?? throw new ArgumentException("the certificate has no private key", nameof(certificate));
        if (!overwrite)
        {
            var existing = new[] { certificatePath, keyPath }.Where(File.Exists).ToList();
            if (existing.Count > 0)
            {
                throw new CertificateException($"{string.Join(" and ", existing)} already exist{(existing.Count == 1 ? "s" : "")}");
            }
        }

        foreach (var directory in new[] { certificatePath, keyPath }.Select(Path.GetDirectoryName).OfType<string>().Where(d => d.Length > 0).Distinct())
        {
            CreateDirectory(directory);
        }

        WriteAtomically(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n", KeyFileMode, overwrite);
        WriteAtomically(certificatePath, certificate.ExportCertificatePem() + "\n", CertificateFileMode, overwrite);
    }

    /// <summary>Loads <c>ca.crt</c> with <c>ca.key</c> from <paramref name="directory"/>, to sign with.</summary>
    public static X509Certificate2 LoadAuthority(string directory)
    {
        var certificatePath = AuthorityCertificatePath(directory);
        var keyPath = AuthorityKeyPath(directory);
        var authority = LoadWithKey(certificatePath, keyPath);
        if (!IsAuthority(authority))
        {
            authority.Dispose();
            throw new CertificateException($"{certificatePath} is not a CA certificate (basicConstraints CA:true is missing)");
        }

        return authority;
    }

    /// <summary>Loads a certificate and the private key that belongs to it (a node loading its own identity).</summary>
    public static X509Certificate2 LoadWithKey(string certificatePath, string keyPath)
    {
        RequireFile(certificatePath);
        RequireFile(keyPath);
        try
        {
            return X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            throw new CertificateException($"cannot load {certificatePath} with {keyPath}: {ex.Message}", ex);
        }
    }

    /// <summary>Loads the first certificate of a PEM file, without a key (<c>ca.crt</c> to trust, or a peer's certificate).</summary>
    public static X509Certificate2 LoadCertificate(string path)
    {
        RequireFile(path);
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(path);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new CertificateException($"cannot read {path}: {ex.Message}", ex);
        }

        if (certificates.Count == 0)
        {
            throw new CertificateException($"{path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }

        foreach (var extra in certificates.Skip(1))
        {
            extra.Dispose();
        }

        return certificates[0];
    }

    public static bool IsAuthority(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(c => c.CertificateAuthority);

    private static void RequireFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new CertificateException($"{path} not found");
        }
    }

    private static void CreateDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, DirectoryMode);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The error that brought us here is the one to report.
        }
    }

    private static void WriteAtomically(string path, string text, UnixFileMode mode, bool overwrite)
    {
        var temporary = Path.Combine(Path.GetDirectoryName(path) ?? "", $".{Path.GetFileName(path)}.{Guid.NewGuid():n}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(text);
            }

            if (!OperatingSystem.IsWindows())
            {
                // The umask may have taken bits away at create; the mode is exact whatever it is.
                File.SetUnixFileMode(temporary, mode);
            }

            File.Move(temporary, path, overwrite);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw new CertificateException($"cannot write {path}: {ex.Message}", ex);
        }
    }
}
