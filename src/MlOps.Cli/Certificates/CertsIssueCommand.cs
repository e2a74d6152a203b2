using System.CommandLine;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MlOps.Core.Certificates;

namespace MlOps.Cli.Certificates;

/// <summary>
/// <c>mlops certs issue NAME --dir DIR [--role coordinator|agent|client] [--serving] [--dns NAME]... [--ip ADDR]...
/// [--days N] [--force]</c>: a node certificate signed by the CA in DIR, written as <c>DIR/NAME.crt</c> and
/// <c>DIR/NAME.key</c>. <c>--serving</c> gives an agent's certificate serverAuth too, for TLS on its inference endpoints.
/// </summary>
internal static class CertsIssueCommand
{
    public static Command Create(CliEnvironment environment)
    {
        var name = new Argument<string>("name") { Description = "The node's name (common name and file name): a host name or agent id", HelpName = "NAME" };
        var directory = new Option<string>("--dir") { Description = "Directory holding ca.crt and ca.key; NAME.crt and NAME.key go there", HelpName = "DIR", Required = true };
        var role = new Option<string>("--role")
        {
            Description = "coordinator (server and client auth), agent or client (client auth)", HelpName = "ROLE", DefaultValueFactory = _ => "agent",
        };
        var dns = new Option<string[]>("--dns") { Description = "A DNS name the node answers to (repeatable; default NAME when no --dns or --ip)", HelpName = "NAME" };
        var ip = new Option<string[]>("--ip") { Description = "An IP address the node answers on (repeatable)", HelpName = "ADDR" };
        var days = new Option<int>("--days") { Description = "Days of validity (cut to the CA's)", HelpName = "N", DefaultValueFactory = _ => ClusterCertificates.DefaultNodeDays };
        var force = new Option<bool>("--force") { Description = "Replace an existing NAME.crt and NAME.key" };
        var serving = new Option<bool>("--serving")
        {
            Description = "Agent only: add server auth, so the agent can serve TLS on its inference endpoints (give the names clients dial with --dns/--ip)",
        };
        var command = new Command("issue", "Issue a node certificate signed by the cluster CA (NAME.crt, NAME.key)") { name, directory, role, serving, dns, ip, days, force };
        CommandAction.Set(command, environment, (parseResult, _) => Task.FromResult(Run(environment, new IssueSettings(
            parseResult.GetValue(name)!, parseResult.GetValue(directory)!, parseResult.GetValue(role)!, parseResult.GetValue(dns) ?? [],
            parseResult.GetValue(ip) ?? [], parseResult.GetValue(days), parseResult.GetValue(force)) { Serving = parseResult.GetValue(serving) })));
        return command;
    }

    internal sealed record IssueSettings(string Name, string Directory, string Role, IReadOnlyList<string> Dns, IReadOnlyList<string> Ip, int Days, bool Force)
    {
        /// <summary><c>--serving</c>: serverAuth for an agent's inference endpoints.</summary>
        public bool Serving { get; init; }
    }

    internal static int Run(CliEnvironment environment, IssueSettings settings)
    {
        var request = Validate(settings);
        var certificatePath = CertificateFiles.CertificatePath(settings.Directory, request.Name);
        var keyPath = CertificateFiles.KeyPath(settings.Directory, request.Name);
        var existing = new[] { certificatePath, keyPath }.FirstOrDefault(File.Exists);
        if (existing is not null && !settings.Force)
        {
            throw new CliException(ExitCodes.Usage, $"{existing} already exists; pass --force to replace it");
        }

        X509Certificate2 authority;
        try
        {
            authority = CertificateFiles.LoadAuthority(settings.Directory);
        }
        catch (CertificateException ex)
        {
            throw CertsCommand.LoadFailure(settings.Directory, ex);
        }

        using (authority)
        {
            var now = environment.Time.GetUtcNow();
            using var certificate = ClusterCertificates.Issue(authority, request, now);
            try
            {
                CertificateFiles.Write(certificate, certificatePath, keyPath, overwrite: settings.Force);
            }
            catch (CertificateException ex)
            {
                throw new CliException(ExitCodes.Error, ex.Message, ex);
            }

            var cut = certificate.NotAfter.ToUniversalTime() < now.AddDays(request.Days).UtcDateTime.AddSeconds(-1) ? " (cut to the CA's expiry)" : "";
            var serving = request.Serving ? ", serving" : "";
            environment.Out.WriteLine($"issued {certificate.Subject} ({request.Role.Name()}{serving}): {certificatePath}, {keyPath} (mode 0600)");
            environment.Out.WriteLine($"names {string.Join(", ", CertificateText.AlternativeNames(certificate))}; valid until {CertificateText.Time(certificate.NotAfter)}{cut}; serial {certificate.SerialNumber}");
        }

        return ExitCodes.Ok;
    }

    /// <summary>Every bad value at once, as one usage error.</summary>
    private static NodeCertificateRequest Validate(IssueSettings settings)
    {
        var problems = new List<string>();
        var nameProblem = CertificateNames.NameProblem(settings.Name);
        if (nameProblem is not null)
        {
            problems.Add(nameProblem);
        }

        if (!ClusterRoles.TryParse(settings.Role, out var role))
        {
            problems.Add($"--role must be one of {string.Join(", ", ClusterRoles.Names)}, got '{settings.Role}'");
        }
        else if (settings.Serving && role != ClusterRole.Agent)
        {
            problems.Add($"--serving is for --role agent (a {role.Name()} certificate {(role == ClusterRole.Coordinator ? "has server auth already" : "never serves")})");
        }

        problems.AddRange(settings.Dns.Select(CertificateNames.DnsProblem).OfType<string>());
        var addresses = new List<IPAddress>();
        foreach (var text in settings.Ip)
        {
            if (CertificateNames.TryParseAddress(text, out var address))
            {
                addresses.Add(address);
            }
            else
            {
                problems.Add(CertificateNames.AddressProblem(text)!);
            }
        }

        if (ClusterCertificates.DaysProblem(settings.Days) is { } daysProblem)
        {
            problems.Add(daysProblem);
        }

        // The default SAN is the name itself, which an agent id need not be a host name for (a..b, node-).
        if (settings.Dns.Count == 0 && addresses.Count == 0 && nameProblem is null && CertificateNames.DnsProblem(settings.Name) is not null)
        {
            problems.Add($"NAME '{settings.Name}' is not a DNS name; give the node's names with --dns or --ip");
        }

        if (problems.Count > 0)
        {
            throw new CliException(ExitCodes.Usage, string.Join("; ", problems));
        }

        return new NodeCertificateRequest(settings.Name, role, settings.Dns, addresses, settings.Days) { Serving = settings.Serving };
    }
}
