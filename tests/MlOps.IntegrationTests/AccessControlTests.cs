using System.Net;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.Client;
using MlOps.Contracts;
using MlOps.Contracts.Access;
using MlOps.Core.Certificates;
using MlOps.Testing;

namespace MlOps.IntegrationTests;

/// <summary>
/// Access control over the whole gRPC surface of a real coordinator with mutual TLS and authentication on (issue #8):
/// every method of every service the coordinator serves is called through a real socket, without credentials, with a
/// role below the one it needs and with the one it needs; an agent certificate from another CA cannot connect; a
/// revoked token stops working at once; and each mutation leaves an audit record naming who, what and the outcome.
/// The method list comes from the contracts' descriptors, so a new RPC is covered (and refused to all but admins until
/// it gets a rule: <see cref="MethodRules"/>).
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Integration")]
public sealed class AccessControlTests : IClassFixture<AccessControlTests.SecureCoordinator>
{
    private readonly SecureCoordinator _coordinator;

    public AccessControlTests(SecureCoordinator coordinator) => _coordinator = coordinator;

    public static IEnumerable<MethodDescriptor> AllMethods => MethodRules.Services.SelectMany(s => s.Methods);

    [Fact]
    public async Task EveryMethod_WithoutCredentials_IsUnauthenticated()
    {
        using var channel = _coordinator.Channel(token: null);
        var failures = new List<string>();
        foreach (var method in AllMethods)
        {
            var (code, detail) = await CallAsync(channel, method);
            if (code != StatusCode.Unauthenticated)
            {
                failures.Add($"{MethodRules.PathOf(method)}: {code} {detail}");
            }
        }

        Assert.True(failures.Count == 0, "answered without credentials:\n" + string.Join("\n", failures));
        Assert.Equal(StatusCode.OK, (await CallAsync(channel, "/grpc.health.v1.Health/Check")).Code);
    }

    [Fact]
    public async Task EveryMethod_WithAForgedToken_IsUnauthenticated()
    {
        using var channel = _coordinator.Channel("mlops_tok_0123456789ab_" + new string('A', 43));
        var failures = new List<string>();
        foreach (var method in AllMethods)
        {
            var (code, detail) = await CallAsync(channel, method);
            if (code != StatusCode.Unauthenticated)
            {
                failures.Add($"{MethodRules.PathOf(method)}: {code} {detail}");
            }
        }

        Assert.True(failures.Count == 0, "answered a forged token:\n" + string.Join("\n", failures));
    }

    [Fact]
    public async Task EveryMutatingMethod_BelowItsRole_IsRefusedAndAudited()
    {
        var failures = new List<string>();
        foreach (var method in AllMethods.Where(m => MethodRules.For(MethodRules.PathOf(m)).Mutating))
        {
            var path = MethodRules.PathOf(method);
            var rule = MethodRules.For(path);
            // Agent-only methods are refused even to an admin; the rest to the role just below theirs.
            var role = rule.Minimum == AccessRole.Agent ? AccessRole.Admin : rule.Minimum - 1;
            using var channel = _coordinator.Channel(_coordinator.Tokens[role]);
            var (code, detail) = await CallAsync(channel, method);
            if (code != StatusCode.PermissionDenied)
            {
                failures.Add($"{path} as {role.Name()}: {code} {detail}");
                continue;
            }

            if (!await _coordinator.HasAuditRecordAsync(Principal(role), path, "PERMISSION_DENIED"))
            {
                failures.Add($"{path} as {role.Name()}: refused but no audit record");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task EveryMutatingMethod_WithItsRole_GetsPastAuthorisationAndLeavesAnAuditRecord()
    {
        var failures = new List<string>();
        foreach (var method in AllMethods.Where(m => MethodRules.For(MethodRules.PathOf(m)).Mutating))
        {
            var path = MethodRules.PathOf(method);
            var rule = MethodRules.For(path);
            var agent = rule.Minimum == AccessRole.Agent;
            using var channel = agent ? _coordinator.Channel(token: null, _coordinator.AgentCertificate) : _coordinator.Channel(_coordinator.Tokens[rule.Minimum]);
            var principal = agent ? SecureCoordinator.AgentId : Principal(rule.Minimum);
            var before = DateTimeOffset.UtcNow.AddSeconds(-1);

            // Empty requests: the service refuses most of them as invalid, which is past authentication and authorisation.
            var (code, detail) = await CallAsync(channel, method);
            if (code is StatusCode.Unauthenticated or StatusCode.PermissionDenied)
            {
                failures.Add($"{path} as {principal}: {code} {detail}");
                continue;
            }

            if (!await _coordinator.HasAuditRecordAsync(principal, path, GrpcStatusNames.Of(code), before))
            {
                failures.Add($"{path} as {principal}: answered {code} but no audit record says so");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task EveryReadMethod_AsViewer_GetsPastAuthorisation()
    {
        using var channel = _coordinator.Channel(_coordinator.Tokens[AccessRole.Viewer]);
        var failures = new List<string>();
        foreach (var method in AllMethods.Where(m => MethodRules.For(MethodRules.PathOf(m)) is { Mutating: false, Minimum: AccessRole.Viewer }))
        {
            var (code, detail) = await CallAsync(channel, method);
            if (code is StatusCode.Unauthenticated or StatusCode.PermissionDenied)
            {
                failures.Add($"{MethodRules.PathOf(method)}: {code} {detail}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task RevokedToken_StopsWorkingAtOnce()
    {
        using var admin = _coordinator.Channel(_coordinator.Tokens[AccessRole.Admin]);
        var access = new AccessService.AccessServiceClient(admin);
        var created = await access.CreateTokenAsync(new CreateTokenRequest { Name = "temp", Role = "viewer" });
        using var channel = _coordinator.Channel(created.Secret);
        var me = await new AccessService.AccessServiceClient(channel).WhoAmIAsync(new WhoAmIRequest());
        Assert.Equal(("temp", "viewer", $"token {created.Token.Id}"), (me.Principal, me.Role, me.AuthenticatedBy));

        await access.RevokeTokenAsync(new RevokeTokenRequest { Id = created.Token.Id });

        var refused = await Assert.ThrowsAsync<RpcException>(() => new AccessService.AccessServiceClient(channel).WhoAmIAsync(new WhoAmIRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Contains($"{created.Token.Id} was revoked", refused.Status.Detail, StringComparison.Ordinal);
        Assert.True(await _coordinator.HasAuditRecordAsync("admin", "/mlops.v1.AccessService/RevokeToken", "OK"));
    }

    [Fact]
    public async Task AgentCertificateFromAnotherCa_CannotConnect()
    {
        using var channel = _coordinator.Channel(token: null, _coordinator.ForeignAgentCertificate);
        var (code, detail) = await CallAsync(channel, AgentService.Descriptor.FindMethodByName("Connect"));

        Assert.True(code == StatusCode.Unavailable, $"{code} {detail}");
        var agents = await new ClusterService.ClusterServiceClient(_coordinator.Channel(_coordinator.Tokens[AccessRole.Viewer]))
            .ListAgentsAsync(new ListAgentsRequest());
        Assert.DoesNotContain(agents.Agents, a => a.AgentId == "intruder");
    }

    [Fact]
    public async Task MlEngineer_SubmitsAsItselfAndCancelsOnlyItsOwnJobs()
    {
        using var alice = _coordinator.Channel(_coordinator.Tokens[AccessRole.MlEngineer]);
        using var bob = _coordinator.Channel(_coordinator.Tokens[AccessRole.Deployer]);
        using var admin = _coordinator.Channel(_coordinator.Tokens[AccessRole.Admin]);
        var spec = Specs.TinyMlp("access", epochs: 1);
        spec.Owner = "";

        var job = (await new JobService.JobServiceClient(alice).SubmitJobAsync(new SubmitJobRequest { Spec = spec })).Job;
        Assert.Equal(Principal(AccessRole.MlEngineer), job.Spec.Owner);

        var asOther = spec.Clone();
        asOther.Owner = "someone-else";
        var impersonation = await Assert.ThrowsAsync<RpcException>(() => new JobService.JobServiceClient(alice).SubmitJobAsync(new SubmitJobRequest { Spec = asOther }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, impersonation.StatusCode);

        var foreign = await Assert.ThrowsAsync<RpcException>(() => new JobService.JobServiceClient(bob).CancelJobAsync(new CancelJobRequest { JobId = job.Id }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, foreign.StatusCode);
        Assert.Contains($"belongs to {Principal(AccessRole.MlEngineer)}", foreign.Status.Detail, StringComparison.Ordinal);

        var cancelled = await new JobService.JobServiceClient(alice).CancelJobAsync(new CancelJobRequest { JobId = job.Id });
        Assert.Equal(JobState.Cancelled, cancelled.State);

        var other = (await new JobService.JobServiceClient(alice).SubmitJobAsync(new SubmitJobRequest { Spec = spec })).Job;
        Assert.Equal(JobState.Cancelled, (await new JobService.JobServiceClient(admin).CancelJobAsync(new CancelJobRequest { JobId = other.Id })).State);
        Assert.True(await _coordinator.HasAuditRecordAsync("admin", "/mlops.v1.JobService/CancelJob", "OK"));
    }

    [Fact]
    public async Task MlEngineer_RunsPipelinesAsItselfAndCancelsOnlyItsOwnRuns()
    {
        using var alice = _coordinator.Channel(_coordinator.Tokens[AccessRole.MlEngineer]);
        using var bob = _coordinator.Channel(_coordinator.Tokens[AccessRole.Deployer]);
        // A command step becomes a job, which waits: this coordinator has no agent, so the run stays active.
        var request = new RunPipelineRequest
        {
            Yaml = """
                name: waits
                steps:
                  - name: hold
                    kind: command
                    params: { command: [sleep, "60"] }
                """,
            NoCache = true,
        };

        var run = await new PipelineService.PipelineServiceClient(alice).RunPipelineAsync(request);
        Assert.Equal(Principal(AccessRole.MlEngineer), run.Owner);

        var foreign = await Assert.ThrowsAsync<RpcException>(() =>
            new PipelineService.PipelineServiceClient(bob).CancelPipelineRunAsync(new CancelPipelineRunRequest { Id = run.Id }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, foreign.StatusCode);
        Assert.Contains($"belongs to {Principal(AccessRole.MlEngineer)}", foreign.Status.Detail, StringComparison.Ordinal);

        var cancelled = await new PipelineService.PipelineServiceClient(alice).CancelPipelineRunAsync(new CancelPipelineRunRequest { Id = run.Id });
        Assert.Equal(run.Id, cancelled.Id);

        // Deploying is the deployer's: a pipeline with a deploy step is refused to an ml-engineer before it starts.
        var deploying = new RunPipelineRequest
        {
            Yaml = """
                name: ships
                steps:
                  - name: ship
                    kind: deploy
                    inputs: { model: "model:anything@1" }
                    params: { name: anything }
                """,
        };
        var refused = await Assert.ThrowsAsync<RpcException>(() => new PipelineService.PipelineServiceClient(alice).RunPipelineAsync(deploying).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Contains("steps.ship: a deploy step needs the deployer role", refused.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_WithTokensFromTheEnvironment_WhoAmISubmitTokensAndAudit()
    {
        using var home = new TempDirectory("mlops-cli-home");
        var spec = home.Combine("job.yaml");
        await File.WriteAllTextAsync(spec, """
            name: cli-under-auth
            dataset: { name: tiny }
            model:
              input_shape: [1, 28, 28]
              layers: [flatten, { linear: { out_features: 10 } }]
            hyper_parameters: { optimizer: sgd, learning_rate: 0.05, batch_size: 32, epochs: 1 }
            resources: { cpu_cores: 1 }
            """);

        var me = await _coordinator.CliAsync(home, _coordinator.Tokens[AccessRole.MlEngineer], "whoami");
        Assert.True(me.Code == 0, me.Output);
        Assert.Contains("principal: user-ml-engineer", me.Output, StringComparison.Ordinal);
        Assert.Contains("role:      ml-engineer", me.Output, StringComparison.Ordinal);

        // The local user is not sent as the owner: the coordinator records the token's principal.
        var submitted = await _coordinator.CliAsync(home, _coordinator.Tokens[AccessRole.MlEngineer], "submit", spec);
        Assert.True(submitted.Code == 0, submitted.Output);
        var jobId = submitted.Output.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("j-", StringComparison.Ordinal));
        using var viewer = _coordinator.Channel(_coordinator.Tokens[AccessRole.Viewer]);
        Assert.Equal("user-ml-engineer", (await new JobService.JobServiceClient(viewer).GetJobAsync(new GetJobRequest { JobId = jobId })).Spec.Owner);

        var created = await _coordinator.CliAsync(home, _coordinator.Tokens[AccessRole.Admin], "token", "create", "carol", "--role", "deployer", "--valid-for", "1d");
        Assert.True(created.Code == 0, created.Output);
        Assert.Matches(@"(?m)^mlops_tok_[0-9a-f]{12}_\S+$", created.Output);
        var listed = await _coordinator.CliAsync(home, _coordinator.Tokens[AccessRole.Admin], "token", "ls");
        Assert.Contains(listed.Output.Split('\n'), l => l.Contains("carol", StringComparison.Ordinal) && l.Contains("deployer", StringComparison.Ordinal) && l.Contains("valid", StringComparison.Ordinal));
        Assert.DoesNotContain("mlops_tok_", listed.Output, StringComparison.Ordinal);

        var audit = await _coordinator.CliAsync(home, _coordinator.Tokens[AccessRole.Admin], "audit", "--user", "user-ml-engineer", "--method", "SubmitJob");
        Assert.True(audit.Code == 0, audit.Output);
        Assert.Contains(audit.Output.Split('\n'), l => l.Contains("JobService.SubmitJob", StringComparison.Ordinal) && l.Contains(jobId, StringComparison.Ordinal) && l.Contains("OK", StringComparison.Ordinal));

        var refused = await _coordinator.CliAsync(home, _coordinator.Tokens[AccessRole.MlEngineer], "audit");
        Assert.NotEqual(0, refused.Code);
        Assert.Contains("needs the admin role", refused.Output, StringComparison.Ordinal);

        var anonymous = await _coordinator.CliAsync(home, token: null, "agents");
        Assert.NotEqual(0, anonymous.Code);
        Assert.Contains("requires an API token", anonymous.Output, StringComparison.Ordinal);
    }

    private static string Principal(AccessRole role) => role == AccessRole.Admin ? "admin" : "user-" + role.Name();

    private static Task<(StatusCode Code, string Detail)> CallAsync(CallInvoker channel, string path)
    {
        var parts = path.Split('/');
        return CallAsync(channel, new Method<byte[], byte[]>(MethodType.Unary, parts[1], parts[2], Bytes, Bytes));
    }

    private static Task<(StatusCode Code, string Detail)> CallAsync(CallInvoker channel, MethodDescriptor method)
    {
        var type = (method.IsClientStreaming, method.IsServerStreaming) switch
        {
            (false, false) => MethodType.Unary,
            (true, false) => MethodType.ClientStreaming,
            (false, true) => MethodType.ServerStreaming,
            _ => MethodType.DuplexStreaming,
        };
        return CallAsync(channel, new Method<byte[], byte[]>(type, method.Service.FullName, method.Name, Bytes, Bytes));
    }

    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);

    /// <summary>Calls with one empty request message and returns the status the call ended with.</summary>
    private static async Task<(StatusCode Code, string Detail)> CallAsync(CallInvoker channel, Method<byte[], byte[]> method)
    {
        var options = new CallOptions(deadline: DateTime.UtcNow.AddSeconds(15));
        try
        {
            switch (method.Type)
            {
                case MethodType.Unary:
                    await channel.AsyncUnaryCall(method, null, options, []).ResponseAsync;
                    break;
                case MethodType.ClientStreaming:
                {
                    using var call = channel.AsyncClientStreamingCall(method, null, options);
                    await WriteQuietlyAsync(call.RequestStream);
                    await call.ResponseAsync;
                    break;
                }

                case MethodType.ServerStreaming:
                {
                    using var call = channel.AsyncServerStreamingCall(method, null, options, []);
                    while (await call.ResponseStream.MoveNext(CancellationToken.None))
                    {
                    }

                    break;
                }

                default:
                {
                    using var call = channel.AsyncDuplexStreamingCall(method, null, options);
                    await WriteQuietlyAsync(call.RequestStream);
                    while (await call.ResponseStream.MoveNext(CancellationToken.None))
                    {
                    }

                    break;
                }
            }

            return (StatusCode.OK, "");
        }
        catch (RpcException ex)
        {
            return (ex.StatusCode, ex.Status.Detail);
        }
    }

    /// <summary>Writes one empty message and ends the request stream; a call the server already ended shows in its status.</summary>
    private static async Task WriteQuietlyAsync(IClientStreamWriter<byte[]> stream)
    {
        try
        {
            await stream.WriteAsync([]);
            await stream.CompleteAsync();
        }
        catch (RpcException)
        {
        }
        catch (InvalidOperationException)
        {
        }
    }

    /// <summary>
    /// One coordinator for the class, on https loopback with the cluster's certificates and authentication on, and a
    /// token per role made with the first admin token it wrote at start.
    /// </summary>
    public sealed class SecureCoordinator : IAsyncLifetime
    {
        public const string AgentId = "node-a";

        private readonly TempDirectory _root = new("mlops-access");
        private readonly int _port = FreePort.Next();
        private X509Certificate2 _authority = null!;
        private ServiceProcess _process = null!;

        public Dictionary<AccessRole, string> Tokens { get; } = [];

        public X509Certificate2 AgentCertificate { get; private set; } = null!;

        public X509Certificate2 ForeignAgentCertificate { get; private set; } = null!;

        public string Address => $"https://127.0.0.1:{_port}";

        public async Task InitializeAsync()
        {
            var now = DateTimeOffset.UtcNow;
            var certificates = _root.Combine("tls");
            _authority = ClusterCertificates.CreateAuthority("mlops-test-ca", 30, now);
            CertificateFiles.Write(_authority, CertificateFiles.AuthorityCertificatePath(certificates), CertificateFiles.AuthorityKeyPath(certificates), overwrite: false);
            using var coordinator = ClusterCertificates.Issue(_authority,
                new NodeCertificateRequest("coordinator", ClusterRole.Coordinator, ["localhost"], [IPAddress.Loopback], 30), now);
            CertificateFiles.Write(coordinator, CertificateFiles.CertificatePath(certificates, "coordinator"), CertificateFiles.KeyPath(certificates, "coordinator"), overwrite: false);
            AgentCertificate = ClusterCertificates.Issue(_authority, new NodeCertificateRequest(AgentId, ClusterRole.Agent, [], [], 30), now);
            using var foreignAuthority = ClusterCertificates.CreateAuthority("someone-elses-ca", 30, now);
            ForeignAgentCertificate = ClusterCertificates.Issue(foreignAuthority, new NodeCertificateRequest("intruder", ClusterRole.Agent, [], [], 30), now);

            var data = _root.Combine("coordinator");
            var dataset = _root.Combine("datasets", "tiny");
            TinyMnistDataset.Write(dataset, 100, 20);
            _process = ServiceProcess.Start("coordinator", BuiltBinaries.Coordinator,
            [
                $"--Coordinator:Listen={Address}",
                $"--Coordinator:DataDirectory={data}",
                $"--Coordinator:Tls:CertificateFile={CertificateFiles.CertificatePath(certificates, "coordinator")}",
                $"--Coordinator:Tls:KeyFile={CertificateFiles.KeyPath(certificates, "coordinator")}",
                $"--Coordinator:Tls:AuthorityFile={CertificateFiles.AuthorityCertificatePath(certificates)}",
                "--Coordinator:Auth:Enabled=true",
                "--Coordinator:SchedulerInterval=00:00:01",
                $"--Datasets:tiny:Path={dataset}",
            ]);

            var adminFile = Path.Combine(data, "admin.token");
            await Eventually.Async(() => Task.FromResult(File.Exists(adminFile)), TimeSpan.FromSeconds(60),
                () => "the coordinator wrote no admin.token:\n" + _process.Output);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(adminFile));
            }

            var admin = (await File.ReadAllTextAsync(adminFile)).Trim();
            Assert.DoesNotContain(admin, _process.Output, StringComparison.Ordinal);
            Tokens[AccessRole.Admin] = admin;

            using var channel = Channel(admin);
            var access = new AccessService.AccessServiceClient(channel);
            foreach (var role in new[] { AccessRole.Viewer, AccessRole.MlEngineer, AccessRole.Deployer })
            {
                var created = await access.CreateTokenAsync(new CreateTokenRequest { Name = "user-" + role.Name(), Role = role.Name() });
                Tokens[role] = created.Secret;
            }
        }

        /// <summary>A channel that trusts the cluster CA, sends <paramref name="token"/> as a bearer token when given and
        /// presents <paramref name="certificate"/> when given.</summary>
        public DisposingInvoker Channel(string? token, X509Certificate2? certificate = null)
        {
            var handler = new SocketsHttpHandler
            {
                SslOptions =
                {
                    RemoteCertificateValidationCallback = ClusterTrust.ValidationCallback(_authority, ClusterRoles.ServerAuthentication),
                    ClientCertificates = certificate is null ? null : [certificate],
                },
            };
            var channel = GrpcChannel.ForAddress(Address, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
            return token is null
                ? new DisposingInvoker(channel, channel.CreateCallInvoker())
                : new DisposingInvoker(channel, Grpc.Core.Interceptors.CallInvokerExtensions.Intercept(channel.CreateCallInvoker(), metadata =>
                {
                    metadata.Add("authorization", "Bearer " + token);
                    return metadata;
                }));
        }

        /// <summary>Runs the real <c>mlops</c> CLI against this coordinator with the CA and, when given, the token from the
        /// environment, and a home directory of its own (so no token file of the machine's user is picked up).</summary>
        public async Task<(int Code, string Output)> CliAsync(TempDirectory home, string? token, params string[] arguments)
        {
            var environment = new Dictionary<string, string>
            {
                ["HOME"] = home.Path,
                ["XDG_CONFIG_HOME"] = home.Combine("config"),
                ["MLOPS_COORDINATOR"] = Address,
                ["MLOPS_CA"] = CertificateFiles.AuthorityCertificatePath(_root.Combine("tls")),
            };
            if (token is not null)
            {
                environment["MLOPS_TOKEN"] = token;
            }

            await using var cli = ServiceProcess.Start("mlops", BuiltBinaries.Cli, arguments, environment);
            var code = await cli.WaitForExitAsync(TimeSpan.FromSeconds(60));
            return (code, cli.Output);
        }

        /// <summary>True when the audit log holds a record of <paramref name="method"/> by <paramref name="principal"/> with
        /// <paramref name="outcome"/>, at or after <paramref name="since"/>.</summary>
        public async Task<bool> HasAuditRecordAsync(string principal, string method, string outcome, DateTimeOffset? since = null)
        {
            using var channel = Channel(Tokens[AccessRole.Admin]);
            var request = new ListAuditRequest { Principal = principal, Method = method, PageSize = 1000 };
            if (since is { } at)
            {
                request.Since = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(at);
            }

            var records = await new AccessService.AccessServiceClient(channel).ListAuditAsync(request);
            return records.Records.Any(r => r.Method == method && r.Outcome == outcome && r.Principal == principal);
        }

        public async Task DisposeAsync()
        {
            await _process.DisposeAsync();
            AgentCertificate.Dispose();
            ForeignAgentCertificate.Dispose();
            _authority.Dispose();
            _root.Dispose();
        }
    }

    /// <summary>A call invoker that disposes its channel with it.</summary>
    public sealed class DisposingInvoker(GrpcChannel channel, CallInvoker inner) : CallInvoker, IDisposable
    {
        public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
            inner.BlockingUnaryCall(method, host, options, request);

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
            inner.AsyncUnaryCall(method, host, options, request);

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
            inner.AsyncServerStreamingCall(method, host, options, request);

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
            inner.AsyncClientStreamingCall(method, host, options);

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
            inner.AsyncDuplexStreamingCall(method, host, options);

        public void Dispose() => channel.Dispose();
    }
}
