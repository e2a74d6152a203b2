using System.CommandLine;
using MlOps.Core.Certificates;

namespace MlOps.Cli.Certificates;

/// <summary>
/// <c>mlops certs init --dir DIR [--name NAME] [--days N] [--force]</c>: creates the cluster CA, <c>DIR/ca.crt</c> and
/// <c>DIR/ca.key</c> (mode 0600). An existing CA is kept unless <c>--force</c>: replacing it orphans every certificate
/// it issued.
/// </summary>
internal static class CertsInitCommand
{
    public static Command Create(CliEnvironment environment)
    {
        var directory = new Option<string>("--dir") { Description = "Directory for ca.crt and ca.key (created, mode 0700)", HelpName = "DIR", Required = true };
        var name = new Option<string>("--name")
        {
            Description = "The CA's common name", HelpName = "NAME", DefaultValueFactory = _ => ClusterCertificates.DefaultAuthorityName,
        };
        var days = new Option<int>("--days") { Description = "Days of validity", HelpName = "N", DefaultValueFactory = _ => ClusterCertificates.DefaultAuthorityDays };
        var force = new Option<bool>("--force") { Description = "Replace an existing CA (certificates it issued stop being trusted)" };
        var command = new Command("init", "Create the cluster certificate authority (ca.crt, ca.key)") { directory, name, days, force };
        CommandAction.Set(command, environment, (parseResult, _) => Task.FromResult(Run(
            environment, parseResult.GetValue(directory)!, parseResult.GetValue(name)!, parseResult.GetValue(days), parseResult.GetValue(force))));
        return command;
    }

    internal static int Run(CliEnvironment environment, string directory, string name, int days, bool force)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(name))
        {
            problems.Add("--name must not be empty");
        }

        if (ClusterCertificates.DaysProblem(days) is { } daysProblem)
        {
            problems.Add(daysProblem);
        }

        if (problems.Count > 0)
        {
            throw new CliException(ExitCodes.Usage, string.Join("; ", problems));
        }

        var certificatePath = CertificateFiles.AuthorityCertificatePath(directory);
        var keyPath = CertificateFiles.AuthorityKeyPath(directory);
        var existing = new[] { certificatePath, keyPath }.FirstOrDefault(File.Exists);
        if (existing is not null && !force)
        {
            throw new CliException(ExitCodes.Usage,
                $"{existing} already exists: a new CA would leave every certificate the old one issued untrusted; pass --force to replace it");
        }

        using var authority = ClusterCertificates.CreateAuthority(name.Trim(), days, environment.Time.GetUtcNow());
        try
        {
            CertificateFiles.Write(authority, certificatePath, keyPath, overwrite: force);
        }
        catch (CertificateException ex)
        {
            throw new CliException(ExitCodes.Error, ex.Message, ex);
        }

        environment.Out.WriteLine($"created cluster CA '{authority.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, forIssuer: false)}': {certificatePath}, {keyPath} (mode 0600)");
        environment.Out.WriteLine($"valid until {CertificateText.Time(authority.NotAfter)}; sha256 {CertificateText.Fingerprint(authority)}");
        return ExitCodes.Ok;
    }
}
