using System.CommandLine;
using MlOps.Cli.Output;
using MlOps.Core.Certificates;

namespace MlOps.Cli.Certificates;

/// <summary>
/// <c>mlops certs show FILE [--dir DIR]</c>: a certificate's subject, issuer, serial, validity, names and usages; with
/// <c>--dir</c>, whether it chains to <c>DIR/ca.crt</c> (exit 1 when it does not).
/// </summary>
internal static class CertsShowCommand
{
    public static Command Create(CliEnvironment environment)
    {
        var file = new Argument<string>("file") { Description = "A PEM certificate (the first one in the file is shown)", HelpName = "FILE" };
        var directory = new Option<string>("--dir") { Description = "Also check that it chains to DIR/ca.crt", HelpName = "DIR" };
        var command = new Command("show", "Show a certificate, and whether it was issued by the cluster CA") { file, directory };
        CommandAction.Set(command, environment, (parseResult, _) =>
            Task.FromResult(Run(environment, parseResult.GetValue(file)!, parseResult.GetValue(directory))));
        return command;
    }

    internal static int Run(CliEnvironment environment, string file, string? directory)
    {
        using var certificate = Load(file);
        var now = environment.Time.GetUtcNow();
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        var state = now < new DateTimeOffset(certificate.NotBefore.ToUniversalTime()) ? " (not yet valid)" : now > notAfter ? " (EXPIRED)" : "";
        var lines = new KeyValueWriter()
            .Add("subject", certificate.Subject)
            .Add("issuer", certificate.Issuer)
            .Add("serial", certificate.SerialNumber)
            .Add("not before", CertificateText.Time(certificate.NotBefore))
            .Add("not after", CertificateText.Time(certificate.NotAfter) + state)
            .Add("key", CertificateText.Key(certificate))
            .Add("ca", CertificateText.Authority(certificate))
            .AddIfSet("key usage", CertificateText.KeyUsage(certificate))
            .AddIfSet("extended usage", string.Join(", ", CertificateText.ExtendedUsages(certificate)))
            .AddIfSet("names", string.Join(", ", CertificateText.AlternativeNames(certificate)))
            .Add("sha256", CertificateText.Fingerprint(certificate));

        var trusted = true;
        if (directory is not null)
        {
            var authorityPath = CertificateFiles.AuthorityCertificatePath(directory);
            using var authority = Load(authorityPath);
            if (certificate.RawDataMemory.Span.SequenceEqual(authority.RawDataMemory.Span))
            {
                lines.Add("chains to CA", $"yes: it is {authorityPath}");
            }
            else
            {
                var verdict = ClusterTrust.Verify(certificate, authority, at: now);
                trusted = verdict.Trusted;
                lines.Add("chains to CA", trusted ? $"yes: {authorityPath}" : $"NO: {string.Join("; ", verdict.Problems)}");
            }
        }

        lines.Write(environment.Out);
        return trusted ? ExitCodes.Ok : ExitCodes.JobFailed;
    }

    private static System.Security.Cryptography.X509Certificates.X509Certificate2 Load(string path)
    {
        try
        {
            return CertificateFiles.LoadCertificate(path);
        }
        catch (CertificateException ex)
        {
            throw new CliException(ExitCodes.Error, ex.Message, ex);
        }
    }
}
