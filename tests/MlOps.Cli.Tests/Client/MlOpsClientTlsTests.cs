using System.Collections.Concurrent;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Cli.Client;
using MlOps.Cli.Tests.Fakes;
using MlOps.Contracts;
using MlOps.Core.Certificates;
using MlOps.Testing;

namespace MlOps.Cli.Tests.Client;

/// <summary>
/// The CLI against a coordinator that serves TLS with a certificate from the cluster CA (a real Kestrel host on
/// loopback): <c>--ca</c> makes it trusted, <c>--cert</c>/<c>--key</c> present a client certificate, and the API token
/// goes out as <c>authorization: Bearer</c> on unary, streaming and artifact calls, never on the console.
/// </summary>
public sealed class MlOpsClientTlsTests : IAsyncLifetime
{
    private const string Token = "mlops_t0ken-value";
    private readonly TempDirectory _directory = new("mlops-cli-tls");
    private ClusterPki _pki = null!;
    private WebApplication _app = null!;
    private string _address = "";

    private CallRecorder Calls => _app.Services.GetRequiredService<CallRecorder>();

    private FakeJobServiceForCliTests Jobs => _app.Services.GetRequiredService<FakeJobServiceForCliTests>();

    public async Task InitializeAsync()
    {
        _pki = new ClusterPki(_directory.Combine("pki"));
        _pki.Issue("coord-1", ClusterRole.Coordinator);
        (_app, _address) = await LoopbackTlsGrpcHost.StartAsync(_pki.Load("coord-1"), _pki.LoadAuthority(),
            services =>
            {
                services.AddSingleton<CallRecorder>();
                services.AddGrpc(o => o.Interceptors.Add<CallRecorder>());
                services.AddSingleton<FakeJobServiceForCliTests>();
                services.AddSingleton<FakeArtifactServiceForCliTests>();
            },
            endpoints =>
            {
                endpoints.MapGrpcService<FakeJobServiceForCliTests>();
                endpoints.MapGrpcService<FakeArtifactServiceForCliTests>();
            });
    }

    [Fact]
    public async Task Calls_WithCaAndToken_EveryKindCarriesTheBearerToken()
    {
        Jobs.AddJob("job-1", JobState.Succeeded, events: new JobEvent { Seq = 1, JobId = "job-1" });
        using var client = new MlOpsClient(new MlOpsClientOptions
        {
            Address = _address, User = "tester", AuthorityFile = _pki.AuthorityFile, Token = Token,
        });

        await client.ListJobsAsync(new ListJobsRequest(), CancellationToken.None);
        await foreach (var _ in client.WatchJobAsync("job-1", 0, CancellationToken.None))
        {
        }

        await client.Artifacts.BlobExistsAsync("datasets/tiny", "sha256:" + new string('0', 64), CancellationToken.None);

        var methods = Calls.Authorizations.Keys.Order(StringComparer.Ordinal).ToList();
        Assert.Contains("/mlops.v1.JobService/ListJobs", methods);
        Assert.Contains("/mlops.v1.JobService/WatchJob", methods);
        Assert.Contains(methods, m => m.StartsWith("/mlops.v1.ArtifactService/", StringComparison.Ordinal));
        Assert.All(Calls.Authorizations.Values, value => Assert.Equal("Bearer " + Token, value));
        Assert.All(Calls.Users.Values, value => Assert.Equal("tester", value));
        Assert.DoesNotContain(Token, new MlOpsClientOptions { Address = _address, User = "tester", Token = Token }.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jobs_CommandLineWithCaAndTokenVariable_ListsOverTlsAndNeverPrintsTheToken()
    {
        Jobs.AddJob("job-1", JobState.Running);

        var result = await RunAsync(new() { ["MLOPS_TOKEN"] = Token }, "jobs", "--coordinator", _address, "--ca", _pki.AuthorityFile);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Contains("job-1", result.Out, StringComparison.Ordinal);
        Assert.Equal("Bearer " + Token, Calls.Authorizations["/mlops.v1.JobService/ListJobs"]);
        Assert.DoesNotContain(Token, result.Out + result.Error, StringComparison.Ordinal);
        Assert.Null(Calls.ClientSubjects.GetValueOrDefault("/mlops.v1.JobService/ListJobs"));
    }

    [Fact]
    public async Task Jobs_CaAndClientCertificateFromVariables_PresentsTheCertificate()
    {
        var alice = _pki.Issue("alice", ClusterRole.Client);

        var result = await RunAsync(new()
        {
            ["MLOPS_CA"] = _pki.AuthorityFile, ["MLOPS_CERT"] = alice.CertificateFile, ["MLOPS_KEY"] = alice.KeyFile,
        }, "jobs", "--coordinator", _address);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Equal("CN=alice, O=client", Calls.ClientSubjects["/mlops.v1.JobService/ListJobs"]);
        Assert.False(Calls.Authorizations.ContainsKey("/mlops.v1.JobService/ListJobs"), "no token configured, no authorization header");
    }

    [Fact]
    public async Task Jobs_WithoutCa_TlsFailureWithAHintAndExit4()
    {
        var result = await RunAsync([], "jobs", "--coordinator", _address);

        Assert.Equal(ExitCodes.Unreachable, result.ExitCode);
        Assert.Contains($"the TLS handshake with the coordinator at {_address} failed", result.Error, StringComparison.Ordinal);
        Assert.Contains("--ca", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jobs_CertificateFromAnotherCa_RefusedByTheServer()
    {
        using var otherPki = new ClusterPki(_directory.Combine("other"), "Other CA");
        var intruder = otherPki.Issue("mallory", ClusterRole.Client);

        var result = await RunAsync([], "jobs", "--coordinator", _address, "--ca", _pki.AuthorityFile, "--cert", intruder.CertificateFile, "--key", intruder.KeyFile);

        Assert.NotEqual(ExitCodes.Ok, result.ExitCode);
        Assert.Empty(Calls.ClientSubjects);
    }

    [Fact]
    public async Task Jobs_CertWithoutKey_UsageError()
    {
        var alice = _pki.Issue("alice", ClusterRole.Client);

        var result = await RunAsync([], "jobs", "--coordinator", _address, "--ca", _pki.AuthorityFile, "--cert", alice.CertificateFile);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--cert and --key", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jobs_MissingCaFile_UsageErrorNamingIt()
    {
        var missing = _directory.Combine("nowhere", "ca.crt");

        var result = await RunAsync([], "jobs", "--coordinator", _address, "--ca", missing);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(missing + " not found", result.Error, StringComparison.Ordinal);
    }

    public async Task DisposeAsync()
    {
        await LoopbackGrpcHost.StopAsync(_app);
        _pki.Dispose();
        _directory.Dispose();
    }

    private async Task<CliResult> RunAsync(Dictionary<string, string> variables, params string[] args)
    {
        variables["XDG_CONFIG_HOME"] = _directory.Combine("config");
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CliApp.RunAsync(args, CliRun.Environment(output, error, variables), CancellationToken.None);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>Records, per method, the authorization and user headers and the client certificate's subject.</summary>
    private sealed class CallRecorder : Interceptor
    {
        public ConcurrentDictionary<string, string> Authorizations { get; } = new();

        public ConcurrentDictionary<string, string> Users { get; } = new();

        public ConcurrentDictionary<string, string?> ClientSubjects { get; } = new();

        public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
            TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        {
            Record(context);
            return continuation(request, context);
        }

        public override Task ServerStreamingServerHandler<TRequest, TResponse>(
            TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
        {
            Record(context);
            return continuation(request, responseStream, context);
        }

        public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
            IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
        {
            Record(context);
            return continuation(requestStream, context);
        }

        private void Record(ServerCallContext context)
        {
            if (context.RequestHeaders.GetValue("authorization") is { } authorization)
            {
                Authorizations[context.Method] = authorization;
            }

            Users[context.Method] = context.RequestHeaders.GetValue(MlOpsClient.UserHeader) ?? "(none)";
            ClientSubjects[context.Method] = context.GetHttpContext().Connection.ClientCertificate?.Subject;
        }
    }
}
