using System.CommandLine;
using MlOps.Core.Certificates;

namespace MlOps.Cli.Certificates;

/// <summary>
/// <c>mlops certs init|issue|show</c>: the cluster's certificate authority and node certificates, for mutual TLS
/// between coordinator, agents and clients. Offline: files in a directory, the coordinator is not asked.
/// </summary>
internal static class CertsCommand
{
    public static Command Create(CliEnvironment environment) =>
        new("certs", "Create the cluster CA and node certificates for mutual TLS; show a certificate")
        {
            CertsInitCommand.Create(environment),
            CertsIssueCommand.Create(environment),
            CertsShowCommand.Create(environment),
        };

    /// <summary>The CA in <paramref name="directory"/>, with a hint when there is none yet.</summary>
    public static CliException LoadFailure(string directory, CertificateException ex) =>
        File.Exists(CertificateFiles.AuthorityCertificatePath(directory))
            ? new CliException(ExitCodes.Error, ex.Message, ex)
            : new CliException(ExitCodes.Error, $"{ex.Message}: create the cluster CA first with 'mlops certs init --dir {directory}'", ex);
}
