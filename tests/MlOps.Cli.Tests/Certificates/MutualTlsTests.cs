using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MlOps.Cli;
using MlOps.Core.Certificates;
using MlOps.Testing;

namespace MlOps.Cli.Tests.Certificates;

/// <summary>
/// Real TLS handshakes over loopback with the files <c>mlops certs</c> writes: the coordinator's certificate serves,
/// the agent's identifies the client, and the server trusts the cluster CA alone.
/// </summary>
public sealed class MutualTlsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Handshake_AgentFromTheClusterCa_AcceptedAndIdentifiedBySubject()
    {
        using var directory = new TempDirectory("mlops-mtls");
        await IssueAsync(directory.Path, "coord-1", "coordinator");
        await IssueAsync(directory.Path, "gpu-node-01", "agent");
        using var ca = CertificateFiles.LoadCertificate(directory.Combine("ca.crt"));
        using var coordinator = CertificateFiles.LoadWithKey(directory.Combine("coord-1.crt"), directory.Combine("coord-1.key"));
        using var agent = CertificateFiles.LoadWithKey(directory.Combine("gpu-node-01.crt"), directory.Combine("gpu-node-01.key"));

        var outcome = await HandshakeAsync(coordinator, agent, ca, "coord-1");

        Assert.Null(outcome.ServerError);
        Assert.Null(outcome.ClientError);
        Assert.Equal("CN=gpu-node-01, O=agent", outcome.ClientSubject);
    }

    [Fact]
    public async Task Handshake_AgentFromAnotherCa_RefusedByTheServer()
    {
        using var directory = new TempDirectory("mlops-mtls");
        await IssueAsync(directory.Path, "coord-1", "coordinator");
        var elsewhere = directory.Combine("elsewhere");
        await IssueAsync(elsewhere, "gpu-node-01", "agent");
        using var ca = CertificateFiles.LoadCertificate(directory.Combine("ca.crt"));
        using var coordinator = CertificateFiles.LoadWithKey(directory.Combine("coord-1.crt"), directory.Combine("coord-1.key"));
        using var intruder = CertificateFiles.LoadWithKey(Path.Combine(elsewhere, "gpu-node-01.crt"), Path.Combine(elsewhere, "gpu-node-01.key"));

        var outcome = await HandshakeAsync(coordinator, intruder, ca, "coord-1");

        Assert.IsType<AuthenticationException>(outcome.ServerError);
        Assert.NotNull(outcome.ClientError);
        Assert.Null(outcome.ClientSubject);
    }

    [Fact]
    public async Task Handshake_ServerWithAnAgentCertificate_RefusedByTheClient()
    {
        using var directory = new TempDirectory("mlops-mtls");
        await IssueAsync(directory.Path, "coord-1", "agent");
        await IssueAsync(directory.Path, "gpu-node-01", "agent");
        using var ca = CertificateFiles.LoadCertificate(directory.Combine("ca.crt"));
        using var notAServer = CertificateFiles.LoadWithKey(directory.Combine("coord-1.crt"), directory.Combine("coord-1.key"));
        using var agent = CertificateFiles.LoadWithKey(directory.Combine("gpu-node-01.crt"), directory.Combine("gpu-node-01.key"));

        var outcome = await HandshakeAsync(notAServer, agent, ca, "coord-1");

        Assert.IsType<AuthenticationException>(outcome.ClientError);
    }

    private static async Task IssueAsync(string directory, string name, string role)
    {
        if (!File.Exists(Path.Combine(directory, "ca.crt")))
        {
            Assert.Equal(ExitCodes.Ok, (await CliRun.RunAsync("certs", "init", "--dir", directory)).ExitCode);
        }

        var issued = await CliRun.RunAsync("certs", "issue", name, "--dir", directory, "--role", role);
        Assert.True(issued.ExitCode == ExitCodes.Ok, issued.ToString());
    }

    private sealed record Outcome(Exception? ServerError, Exception? ClientError, string? ClientSubject);

    /// <summary>
    /// One handshake, then one byte from server to client: with TLS 1.3 the client may finish its side before the
    /// server has judged the client certificate, so only the byte proves both sides accepted.
    /// </summary>
    private static async Task<Outcome> HandshakeAsync(X509Certificate2 server, X509Certificate2 client, X509Certificate2 ca, string host)
    {
        using var cancellation = new CancellationTokenSource(Timeout);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            using var tcpClient = new TcpClient();
            var connect = tcpClient.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, cancellation.Token);
            using var accepted = await listener.AcceptTcpClientAsync(cancellation.Token);
            await connect;
            await using var serverStream = new SslStream(accepted.GetStream());
            await using var clientStream = new SslStream(tcpClient.GetStream());

            var serverSide = ServeAsync(serverStream, server, ca, cancellation.Token);
            var clientSide = ConnectAsync(clientStream, client, ca, host, cancellation.Token);
            var serverError = await serverSide;
            if (serverError is not null)
            {
                // Let the client see the refusal if it finished its half of the handshake already.
                accepted.Close();
            }

            var clientError = await clientSide;
            return new Outcome(serverError, clientError, serverError is null ? serverStream.RemoteCertificate?.Subject : null);
        }
        finally
        {
            listener.Stop();
        }
    }

    private static async Task<Exception?> ServeAsync(SslStream stream, X509Certificate2 certificate, X509Certificate2 ca, CancellationToken cancellationToken)
    {
        try
        {
            await stream.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = certificate,
                ClientCertificateRequired = true,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = ClusterTrust.ValidationCallback(ca, ClusterRoles.ClientAuthentication),
            }, cancellationToken);
            await stream.WriteAsync(new byte[] { 42 }, cancellationToken);
            await stream.FlushAsync(cancellationToken);
            return null;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            return ex;
        }
    }

    private static async Task<Exception?> ConnectAsync(SslStream stream, X509Certificate2 certificate, X509Certificate2 ca, string host, CancellationToken cancellationToken)
    {
        try
        {
            await stream.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = host,
                ClientCertificates = [certificate],
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = ClusterTrust.ValidationCallback(ca, ClusterRoles.ServerAuthentication),
            }, cancellationToken);
            var buffer = new byte[1];
            var read = await stream.ReadAsync(buffer, cancellationToken);
            return read == 1 && buffer[0] == 42 ? null : new IOException("the server closed the connection");
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            return ex;
        }
    }
}
