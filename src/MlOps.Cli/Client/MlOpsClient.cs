using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using MlOps.Artifacts;
using MlOps.Client.Artifacts;
using MlOps.Contracts;
using MlOps.Core.Certificates;

namespace MlOps.Cli.Client;

/// <summary>
/// Typed access to the coordinator's <see cref="JobService"/>, <see cref="ClusterService"/>,
/// <see cref="ModelRegistry"/>, <see cref="DatasetService"/>, <see cref="DeploymentService"/> and
/// <see cref="RetrainingService"/>: one channel per address, the <c>x-mlops-user</c>
/// header (and, with a token, <c>authorization: Bearer</c>) on every call and a deadline on every unary call, and every
/// failed call turned into a <see cref="CliException"/> carrying the server's detail text and the exit code for its
/// status. <see cref="Artifacts"/> reaches the coordinator's artifact store over the same channel. An <c>https://</c>
/// coordinator is checked against the cluster CA (<see cref="MlOpsClientOptions.AuthorityFile"/>) when one is given.
/// </summary>
public sealed partial class MlOpsClient : IDisposable
{
    /// <summary>Metadata key naming the user on whose behalf the CLI calls.</summary>
    public const string UserHeader = "x-mlops-user";

    /// <summary>Metadata key of the API token: <c>authorization: Bearer TOKEN</c>.</summary>
    public const string AuthorizationHeader = "authorization";

    private readonly MlOps.Client.Rpc.CoordinatorCallInvoker _channel;
    private readonly JobService.JobServiceClient _jobs;
    private readonly ClusterService.ClusterServiceClient _cluster;
    private readonly ModelRegistry.ModelRegistryClient _models;
    private readonly DatasetService.DatasetServiceClient _datasets;
    private readonly DeploymentService.DeploymentServiceClient _deployments;
    private readonly RetrainingService.RetrainingServiceClient _retraining;
    private readonly PipelineService.PipelineServiceClient _pipelines;
    private readonly Metadata _headers;
    private readonly TimeSpan _callTimeout;
    private readonly X509Certificate2? _authority;
    private readonly X509Certificate2? _certificate;

    public MlOpsClient(MlOpsClientOptions options)
    {
        // Several comma-separated addresses name coordinators that elect a leader; calls go to whichever leads.
        var addresses = MlOps.Client.Rpc.CoordinatorCallInvoker.ParseList(options.Address).Select(NormalizeAddress).ToList();
        if (addresses.Count == 0)
        {
            throw new CliException(ExitCodes.Usage, "the coordinator address must look like http://HOST:PORT, got an empty one");
        }

        _callTimeout = options.CallTimeout;
        _headers = new Metadata { { UserHeader, HeaderValue(options.User) } };
        if (!string.IsNullOrEmpty(options.Token))
        {
            _headers.Add(AuthorizationHeader, "Bearer " + options.Token);
        }

        (_authority, _certificate) = LoadTls(options);
        _channel = new MlOps.Client.Rpc.CoordinatorCallInvoker(addresses, address => GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                ConnectTimeout = options.ConnectTimeout,
                EnableMultipleHttp2Connections = true,
                SslOptions = SslOptions(),
            },
            // Artifact chunks are 1 MiB and manifests up to 4 MiB; the coordinator's artifact service accepts 8 MiB.
            MaxReceiveMessageSize = 8 * 1024 * 1024,
            MaxSendMessageSize = 8 * 1024 * 1024,
        }));
        _jobs = new JobService.JobServiceClient(_channel);
        _cluster = new ClusterService.ClusterServiceClient(_channel);
        _models = new ModelRegistry.ModelRegistryClient(_channel);
        _datasets = new DatasetService.DatasetServiceClient(_channel);
        _deployments = new DeploymentService.DeploymentServiceClient(_channel);
        _retraining = new RetrainingService.RetrainingServiceClient(_channel);
        _pipelines = new PipelineService.PipelineServiceClient(_channel);

        // The store makes its own calls (streams without a deadline: a dataset may take minutes); the interceptor
        // adds the user header to each of them.
        var headers = _headers;
        var artifactInvoker = _channel.Intercept(metadata =>
        {
            foreach (var entry in headers)
            {
                metadata.Add(entry);
            }

            return metadata;
        });
        Artifacts = new CoordinatorArtifactStore(new ArtifactService.ArtifactServiceClient(artifactInvoker), addresses[0]);
    }

    /// <summary>The coordinator address in use (the leader's, once known), with its scheme.</summary>
    public string Address => _channel.Current;

    /// <summary>Submits with a job id chosen here, so a retry after a lost answer (or a coordinator failover) returns the
    /// job the first try created instead of a second job.</summary>
    public async Task<Job> SubmitJobAsync(JobSpec spec, CancellationToken cancellationToken) =>
        await SubmitJobAsync(new SubmitJobRequest { Spec = spec, JobId = new MlOps.Core.Jobs.JobIdGenerator(TimeProvider.System).Next() }, cancellationToken);

    private async Task<Job> SubmitJobAsync(SubmitJobRequest submit, CancellationToken cancellationToken) =>
        (await CallAsync(o => _jobs.SubmitJobAsync(submit, o).ResponseAsync, cancellationToken)).Job;

    public Task<Job> GetJobAsync(string jobId, CancellationToken cancellationToken) =>
        CallAsync(o => _jobs.GetJobAsync(new GetJobRequest { JobId = jobId }, o).ResponseAsync, cancellationToken);

    public Task<ListJobsResponse> ListJobsAsync(ListJobsRequest request, CancellationToken cancellationToken) =>
        CallAsync(o => _jobs.ListJobsAsync(request, o).ResponseAsync, cancellationToken);

    public Task<Job> CancelJobAsync(string jobId, string reason, CancellationToken cancellationToken) =>
        CallAsync(o => _jobs.CancelJobAsync(new CancelJobRequest { JobId = jobId, Reason = reason }, o).ResponseAsync, cancellationToken);

    public Task<IReadOnlyList<AgentInfo>> ListAgentsAsync(CancellationToken cancellationToken) =>
        ListAgentsAsync(_callTimeout, cancellationToken);

    /// <summary>ListAgents with its own deadline (readiness polling wants a short one).</summary>
    public async Task<IReadOnlyList<AgentInfo>> ListAgentsAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        (await CallAsync(o => _cluster.ListAgentsAsync(new ListAgentsRequest(), o).ResponseAsync, cancellationToken, timeout)).Agents;

    public Task<AgentInfo> SetAgentDrainAsync(string agentId, bool drain, CancellationToken cancellationToken) =>
        CallAsync(o => _cluster.SetAgentDrainAsync(new SetAgentDrainRequest { AgentId = agentId, Drain = drain }, o).ResponseAsync, cancellationToken);

    /// <summary>
    /// The coordinator's artifact store (<c>ArtifactService</c>). It throws the store's own exceptions
    /// (<see cref="ArtifactException"/>); <see cref="ArtifactErrors"/> turns them into exit codes.
    /// </summary>
    public IArtifactStore Artifacts { get; }

    public async Task<IReadOnlyList<ModelSummary>> ListModelsAsync(CancellationToken cancellationToken) =>
        (await CallAsync(o => _models.ListModelsAsync(new ListModelsRequest(), o).ResponseAsync, cancellationToken)).Models;

    public async Task<IReadOnlyList<ModelVersion>> ListModelVersionsAsync(string model, CancellationToken cancellationToken) =>
        (await CallAsync(o => _models.ListModelVersionsAsync(new ListModelVersionsRequest { Model = model }, o).ResponseAsync, cancellationToken)).Versions;

    public Task<ModelVersion> GetModelVersionAsync(string model, int version, string alias, CancellationToken cancellationToken) =>
        CallAsync(o => _models.GetModelVersionAsync(new GetModelVersionRequest { Model = model, Version = version, Alias = alias }, o).ResponseAsync, cancellationToken);

    public Task<ModelVersion> SetAliasAsync(string model, string alias, int version, CancellationToken cancellationToken) =>
        CallAsync(o => _models.SetAliasAsync(new SetAliasRequest { Model = model, Alias = alias, Version = version }, o).ResponseAsync, cancellationToken);

    public Task<DeleteAliasResponse> DeleteAliasAsync(string model, string alias, CancellationToken cancellationToken) =>
        CallAsync(o => _models.DeleteAliasAsync(new DeleteAliasRequest { Model = model, Alias = alias }, o).ResponseAsync, cancellationToken);

    public Task<DatasetVersion> CreateDatasetVersionAsync(string name, string manifestDigest, string format, CancellationToken cancellationToken) =>
        CallAsync(o => _datasets.CreateDatasetVersionAsync(
            new CreateDatasetVersionRequest { Name = name, ManifestDigest = manifestDigest, Format = format }, o).ResponseAsync, cancellationToken);

    public async Task<IReadOnlyList<DatasetVersion>> ListDatasetsAsync(string name, CancellationToken cancellationToken) =>
        (await CallAsync(o => _datasets.ListDatasetsAsync(new ListDatasetsRequest { Name = name }, o).ResponseAsync, cancellationToken)).Versions;

    public Task<DatasetVersion> GetDatasetVersionAsync(string reference, CancellationToken cancellationToken) =>
        CallAsync(o => _datasets.GetDatasetVersionAsync(new GetDatasetVersionRequest { Reference = reference }, o).ResponseAsync, cancellationToken);

    public Task<Deployment> DeployAsync(DeploymentSpec spec, CancellationToken cancellationToken) =>
        CallAsync(o => _deployments.DeployAsync(new DeployRequest { Spec = spec }, o).ResponseAsync, cancellationToken);

    public Task<Deployment> RollbackAsync(string name, int toRevision, CancellationToken cancellationToken) =>
        CallAsync(o => _deployments.RollbackAsync(new RollbackRequest { Name = name, ToRevision = toRevision }, o).ResponseAsync, cancellationToken);

    public Task<Deployment> GetDeploymentAsync(string name, CancellationToken cancellationToken) =>
        CallAsync(o => _deployments.GetDeploymentAsync(new GetDeploymentRequest { Name = name }, o).ResponseAsync, cancellationToken);

    public Task<ModelMonitor> GetModelMonitorAsync(string model, CancellationToken cancellationToken) =>
        CallAsync(o => new MonitoringService.MonitoringServiceClient(_channel).GetModelMonitorAsync(new GetModelMonitorRequest { Model = model }, o).ResponseAsync, cancellationToken);

    public async Task<IReadOnlyList<Deployment>> ListDeploymentsAsync(CancellationToken cancellationToken) =>
        (await CallAsync(o => _deployments.ListDeploymentsAsync(new ListDeploymentsRequest(), o).ResponseAsync, cancellationToken)).Deployments;

    public Task<DeleteDeploymentResponse> DeleteDeploymentAsync(string name, CancellationToken cancellationToken) =>
        CallAsync(o => _deployments.DeleteDeploymentAsync(new DeleteDeploymentRequest { Name = name }, o).ResponseAsync, cancellationToken);

    public Task<RetrainingPolicy> SetRetrainingPolicyAsync(RetrainingPolicy policy, CancellationToken cancellationToken) =>
        CallAsync(o => _retraining.SetPolicyAsync(new SetRetrainingPolicyRequest { Policy = policy }, o).ResponseAsync, cancellationToken);

    public Task<RetrainingPolicy> GetRetrainingPolicyAsync(string model, CancellationToken cancellationToken) =>
        CallAsync(o => _retraining.GetPolicyAsync(new GetRetrainingPolicyRequest { Model = model }, o).ResponseAsync, cancellationToken);

    public async Task<IReadOnlyList<RetrainingPolicy>> ListRetrainingPoliciesAsync(CancellationToken cancellationToken) =>
        (await CallAsync(o => _retraining.ListPoliciesAsync(new ListRetrainingPoliciesRequest(), o).ResponseAsync, cancellationToken)).Policies;

    public Task<DeleteRetrainingPolicyResponse> DeleteRetrainingPolicyAsync(string model, CancellationToken cancellationToken) =>
        CallAsync(o => _retraining.DeletePolicyAsync(new DeleteRetrainingPolicyRequest { Model = model }, o).ResponseAsync, cancellationToken);

    public Task<RetrainingRun> TriggerRetrainingAsync(string model, string reason, CancellationToken cancellationToken) =>
        CallAsync(o => _retraining.TriggerRetrainingAsync(new TriggerRetrainingRequest { Model = model, Reason = reason }, o).ResponseAsync, cancellationToken);

    /// <summary>Newest first; an empty <paramref name="model"/> means every model, a zero <paramref name="limit"/> the coordinator's 50.</summary>
    public async Task<IReadOnlyList<RetrainingRun>> ListRetrainingRunsAsync(string model, int limit, CancellationToken cancellationToken) =>
        (await CallAsync(o => _retraining.ListRunsAsync(new ListRetrainingRunsRequest { Model = model, Limit = limit }, o).ResponseAsync, cancellationToken)).Runs;

    public Task<RetrainingRun> GetRetrainingRunAsync(string id, CancellationToken cancellationToken) =>
        CallAsync(o => _retraining.GetRunAsync(new GetRetrainingRunRequest { Id = id }, o).ResponseAsync, cancellationToken);

    public Task<PipelineRun> RunPipelineAsync(string yaml, IReadOnlyDictionary<string, string> parameters, bool noCache, string owner, CancellationToken cancellationToken)
    {
        var request = new RunPipelineRequest { Yaml = yaml, NoCache = noCache, Owner = owner };
        request.Parameters.Add(parameters.ToDictionary(StringComparer.Ordinal));
        return CallAsync(o => _pipelines.RunPipelineAsync(request, o).ResponseAsync, cancellationToken);
    }

    public Task<PipelineRun> GetPipelineRunAsync(string id, CancellationToken cancellationToken) =>
        CallAsync(o => _pipelines.GetPipelineRunAsync(new GetPipelineRunRequest { Id = id }, o).ResponseAsync, cancellationToken);

    /// <summary>Newest first; an empty <paramref name="pipeline"/> means every pipeline, a zero <paramref name="limit"/> the coordinator's 50.</summary>
    public async Task<IReadOnlyList<PipelineRun>> ListPipelineRunsAsync(string pipeline, int limit, CancellationToken cancellationToken) =>
        (await CallAsync(o => _pipelines.ListPipelineRunsAsync(new ListPipelineRunsRequest { Pipeline = pipeline, Limit = limit }, o).ResponseAsync, cancellationToken)).Runs;

    public Task<PipelineRun> CancelPipelineRunAsync(string id, CancellationToken cancellationToken) =>
        CallAsync(o => _pipelines.CancelPipelineRunAsync(new CancelPipelineRunRequest { Id = id }, o).ResponseAsync, cancellationToken);

    /// <summary>An inference client that finds the deployment's replicas through this coordinator connection.</summary>
    public MlOps.Client.Inference.InferenceClient CreateInferenceClient() => new(_channel.Intercept(metadata =>
    {
        foreach (var entry in _headers)
        {
            metadata.Add(entry);
        }

        return metadata;
    }), new MlOps.Client.Inference.InferenceClientOptions { Security = InferenceSecurity() });

    /// <summary>
    /// The job's events with <c>seq &gt; fromSeq</c> until the server ends the stream. No deadline: a job may
    /// train for hours. A broken stream surfaces as a <see cref="CliException"/> with
    /// <see cref="CliException.IsTransient"/> set, so the caller can resume from the last seq it saw.
    /// </summary>
    public async IAsyncEnumerable<JobEvent> WatchJobAsync(string jobId, long fromSeq, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new WatchJobRequest { JobId = jobId, FromSeq = fromSeq };
        using var call = Translate(() => _jobs.WatchJob(request, new CallOptions(_headers, cancellationToken: cancellationToken)), cancellationToken);
        while (await TranslateAsync(() => call.ResponseStream.MoveNext(cancellationToken), cancellationToken))
        {
            yield return call.ResponseStream.Current;
        }
    }

    public void Dispose()
    {
        _channel.Dispose();
        _authority?.Dispose();
        _certificate?.Dispose();
    }

    /// <summary>Adds <c>http://</c> to a bare <c>host:port</c> and rejects anything that is not an http(s) URL.</summary>
    public static string NormalizeAddress(string address)
    {
        var trimmed = address.Trim();
        var withScheme = trimmed.Contains("://", StringComparison.Ordinal) ? trimmed : "http://" + trimmed;
        if (!Uri.TryCreate(withScheme, UriKind.Absolute, out var uri) ||
            (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || string.IsNullOrEmpty(uri.Host))
        {
            throw new CliException(ExitCodes.Usage, $"the coordinator address must look like http://HOST:PORT, got '{address}'");
        }

        return withScheme.TrimEnd('/');
    }

    /// <summary>
    /// The cluster CA and the client certificate, loaded once. A file that is missing or not what it should be is a
    /// usage error naming the option; a certificate without its key (or a key without its certificate) too.
    /// </summary>
    private static (X509Certificate2? Authority, X509Certificate2? Certificate) LoadTls(MlOpsClientOptions options)
    {
        var hasCertificate = !string.IsNullOrWhiteSpace(options.CertificateFile);
        var hasKey = !string.IsNullOrWhiteSpace(options.KeyFile);
        if (hasCertificate != hasKey)
        {
            throw new CliException(ExitCodes.Usage, "--cert and --key (MLOPS_CERT, MLOPS_KEY) go together: the client certificate and its private key");
        }

        X509Certificate2? authority = null;
        try
        {
            if (!string.IsNullOrWhiteSpace(options.AuthorityFile))
            {
                authority = CertificateFiles.LoadCertificate(options.AuthorityFile);
                if (!CertificateFiles.IsAuthority(authority))
                {
                    throw new CertificateException($"{options.AuthorityFile} is not a CA certificate; --ca takes the cluster CA's ca.crt");
                }
            }

            var certificate = hasCertificate ? CertificateFiles.LoadWithKey(options.CertificateFile!, options.KeyFile!) : null;
            return (authority, certificate);
        }
        catch (CertificateException ex)
        {
            authority?.Dispose();
            throw new CliException(ExitCodes.Usage, $"TLS settings (--ca, --cert, --key): {ex.Message}", ex);
        }
    }

    /// <summary>
    /// TLS for <c>https://</c> coordinators: with a CA, the coordinator's certificate must chain to it with serverAuth and
    /// name the host dialled; with a client certificate, that is presented whatever issuers the server names.
    /// </summary>
    private SslClientAuthenticationOptions SslOptions()
    {
        var ssl = new SslClientAuthenticationOptions { EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13 };
        if (_authority is not null)
        {
            ssl.RemoteCertificateValidationCallback = ClusterTrust.ValidationCallback(_authority, ClusterRoles.ServerAuthentication);
            ssl.CertificateRevocationCheckMode = X509RevocationMode.NoCheck;
        }

        if (_certificate is { } certificate)
        {
            ssl.LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate;
        }

        return ssl;
    }

    /// <summary>gRPC metadata is printable ASCII; a user name outside it is sent percent-encoded.</summary>
    internal static string HeaderValue(string user)
    {
        var ascii = user.All(c => c is >= ' ' and <= '~');
        return ascii ? user : Uri.EscapeDataString(user.Normalize(NormalizationForm.FormC));
    }

    private async Task<T> CallAsync<T>(Func<CallOptions, Task<T>> call, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? _callTimeout);
        var options = new CallOptions(_headers, deadline, cancellationToken);
        return await TranslateAsync(() => call(options), cancellationToken);
    }

    private async Task<T> TranslateAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (RpcException ex)
        {
            throw Translate(ex, cancellationToken);
        }
    }

    private T Translate<T>(Func<T> call, CancellationToken cancellationToken)
    {
        try
        {
            return call();
        }
        catch (RpcException ex)
        {
            throw Translate(ex, cancellationToken);
        }
    }

    private Exception Translate(RpcException ex, CancellationToken cancellationToken) =>
        ex.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested
            ? new OperationCanceledException("the call was cancelled", ex, cancellationToken)
            : RpcErrors.ToCliException(ex, Address);
}
