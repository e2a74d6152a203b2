using Grpc.Core;
using MlOps.Contracts;
using MlOps.Core.Certificates;
using MlOps.Testing;

namespace MlOps.IntegrationTests;

/// <summary>
/// Mutual TLS between real processes (docs/security.md, "Mutual TLS between nodes"): a coordinator on
/// https://127.0.0.1 with a certificate from a cluster CA made in the test's directory, agents with agent certificates,
/// the <c>mlops</c> CLI with the CA. An agent's identity is its certificate's common name.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Integration")]
public sealed class MutualTlsTests
{
    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Agent_WithClusterCertificateAndNoId_JoinsUnderItsCommonNameAndRunsAJob()
    {
        await using var cluster = new LocalCluster().WithMutualTls().WithTinyDataset(trainCount: 500, testCount: 100);
        await cluster.StartCoordinatorAsync();
        var tls = cluster.Pki!.Issue("gpu-node-01", ClusterRole.Agent);

        cluster.LaunchAgent("gpu-node-01", tls, configureId: false);
        await WaitForAgentAsync(cluster, "gpu-node-01");
        var submitted = await cluster.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = Specs.TinyMlp("over-tls", epochs: 1, hidden: 16) });
        var job = await cluster.WaitForJobAsync(submitted.Job.Id, j => j.State is JobState.Succeeded or JobState.Failed or JobState.Cancelled, TimeSpan.FromMinutes(2));

        Assert.StartsWith("https://127.0.0.1:", cluster.Address, StringComparison.Ordinal);
        Assert.True(job.State == JobState.Succeeded, $"job ended {job.State}: {job.FailureReason}\n{cluster.Diagnostics()}");
        Assert.Equal("gpu-node-01", job.AgentId);
        Assert.Contains($"listening on {cluster.Address}", cluster.Coordinator!.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agent_WithCertificateFromAnotherCa_NeverJoinsAndTheHandshakeFails()
    {
        await using var cluster = new LocalCluster().WithMutualTls();
        await cluster.StartCoordinatorAsync();
        using var otherCa = new ClusterPki(Path.Combine(cluster.RootPath, "other-ca"), "Other CA");
        var intruderFiles = otherCa.Issue("intruder", ClusterRole.Agent);

        // A whole other PKI: the agent neither trusts the coordinator nor is trusted by it.
        var intruder = cluster.LaunchAgent("intruder", intruderFiles);
        await intruder.WaitForLineAsync("The SSL connection could not be established", JoinTimeout);

        // The coordinator's own refusal, from a client that does trust the coordinator but holds the foreign certificate.
        using var foreignCertificate = otherCa.Load("intruder");
        using var channel = cluster.CreateChannel(foreignCertificate);
        using var call = new AgentService.AgentServiceClient(channel).Connect(deadline: DateTime.UtcNow.AddSeconds(20));
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await call.RequestStream.WriteAsync(new AgentMessage { Hello = new AgentHello { AgentId = "intruder", Host = "test" } });
            await call.ResponseStream.MoveNext(CancellationToken.None);
        });
        await cluster.Coordinator!.WaitForLineAsync("Refused a TLS client certificate CN=intruder, O=agent issued by CN=Other CA", JoinTimeout);

        var agents = await cluster.Cluster.ListAgentsAsync(new ListAgentsRequest());
        Assert.DoesNotContain(agents.Agents, a => a.AgentId == "intruder");
        Assert.False(intruder.HasExited, "the agent keeps retrying, as after any connection failure");
    }

    [Fact]
    public async Task Agent_CertificateForAnotherName_RefusedWithPermissionDenied()
    {
        await using var cluster = new LocalCluster().WithMutualTls();
        await cluster.StartCoordinatorAsync();
        var borrowed = cluster.Pki!.Issue("node-b", ClusterRole.Agent);

        var impostor = cluster.LaunchAgent("node-a", borrowed);

        var refusal = await impostor.WaitForLineAsync("PermissionDenied", JoinTimeout);
        Assert.Contains("'node-a'", refusal, StringComparison.Ordinal);
        Assert.Contains("'node-b'", refusal, StringComparison.Ordinal);
        await cluster.Coordinator!.WaitForLineAsync("Agent stream refused (PERMISSION_DENIED)", JoinTimeout);
        var agents = await cluster.Cluster.ListAgentsAsync(new ListAgentsRequest());
        Assert.DoesNotContain(agents.Agents, a => a.AgentId is "node-a" or "node-b");
    }

    [Fact]
    public async Task Client_WithoutCertificate_ReadsOverTlsWithTheCa()
    {
        await using var cluster = new LocalCluster().WithMutualTls();
        await cluster.StartCoordinatorAsync();
        await cluster.StartAgentAsync("a1");

        // The test's own channel trusts the CA and presents no certificate.
        var agents = await cluster.Cluster.ListAgentsAsync(new ListAgentsRequest());
        Assert.Contains(agents.Agents, a => a.AgentId == "a1");

        await using var cli = ServiceProcess.Start("mlops", BuiltBinaries.Cli,
            ["agents", "--coordinator", cluster.Address, "--ca", cluster.Pki!.AuthorityFile, "-o", "json"]);
        var exit = await cli.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, $"mlops exited {exit}:\n{cli.Output}\n{cluster.Diagnostics()}");
        Assert.Contains("\"a1\"", cli.Output, StringComparison.Ordinal);

        await using var untrusting = ServiceProcess.Start("mlops", BuiltBinaries.Cli, ["agents", "--coordinator", cluster.Address]);
        Assert.Equal(4, await untrusting.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("TLS handshake", untrusting.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Coordinator_PlaintextOnEveryInterface_ExitsAtStartNamingTls()
    {
        using var directory = new TempDirectory("mlops-plaintext");

        await using var coordinator = ServiceProcess.Start("coordinator", BuiltBinaries.Coordinator,
            [$"--Coordinator:Listen=http://0.0.0.0:{FreePort.Next()}", $"--Coordinator:DataDirectory={directory.Combine("data")}"]);
        var exit = await coordinator.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exit == 2, $"exit {exit}:\n{coordinator.Output}");
        Assert.Contains("Coordinator:Listen 'http://0.0.0.0:", coordinator.Output, StringComparison.Ordinal);
        Assert.Contains("Coordinator:Tls", coordinator.Output, StringComparison.Ordinal);
    }

    private static Task WaitForAgentAsync(LocalCluster cluster, string id) => Eventually.Async(async () =>
    {
        var agents = await cluster.Cluster.ListAgentsAsync(new ListAgentsRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
        return agents.Agents.Any(a => a.AgentId == id && a.Status == AgentStatus.Connected);
    }, JoinTimeout, () => $"agent {id} did not join:\n{cluster.Diagnostics()}");
}
