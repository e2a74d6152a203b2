using Google.Protobuf.Reflection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace MlOps.Contracts.Access;

/// <summary>What one gRPC method requires: the lowest user role, whether agents (by certificate) may call it, and
/// whether it changes state (and so is audited).</summary>
public sealed record MethodRule(AccessRole Minimum, bool Agents, bool Mutating)
{
    /// <summary>Open to anyone, even without a token: only the gRPC health service.</summary>
    public bool Public => Minimum == AccessRole.None;

    /// <summary>True when <paramref name="role"/> may make the call.</summary>
    public bool Allows(AccessRole role) => Public || (role == AccessRole.Agent ? Agents : role.IsAtLeast(Minimum));

    /// <summary>Who may call, in words, for refusals: "deployer or above", "agents only".</summary>
    public string Describe() => (Minimum, Agents) switch
    {
        (AccessRole.None, _) => "anyone",
        (AccessRole.Agent, _) => "agents only",
        (AccessRole.Admin, false) => "the admin role",
        (_, false) => $"the {Minimum.Name()} role or above",
        (_, true) => $"agents, or the {Minimum.Name()} role or above",
    };
}

/// <summary>
/// The access rule of every method the coordinator serves, keyed by gRPC path (<c>/mlops.v1.JobService/SubmitJob</c>).
/// Built from the generated service descriptors, so a renamed method fails at start, and <see cref="Unlisted"/> names
/// any method of a served service that has no rule (a test keeps it empty). A method without a rule is refused to all
/// but admins.
/// </summary>
public static class MethodRules
{
    private static readonly MethodRule Read = new(AccessRole.Viewer, Agents: false, Mutating: false);
    private static readonly MethodRule AgentRead = new(AccessRole.Viewer, Agents: true, Mutating: false);

    /// <summary>What a method missing from the table requires.</summary>
    public static MethodRule Default { get; } = new(AccessRole.Admin, Agents: false, Mutating: true);

    /// <summary>The services the coordinator maps (the health service aside).</summary>
    public static IReadOnlyList<ServiceDescriptor> Services { get; } =
    [
        JobService.Descriptor, ClusterService.Descriptor, AgentService.Descriptor, ArtifactService.Descriptor,
        ModelRegistry.Descriptor, DatasetService.Descriptor, DeploymentService.Descriptor, MonitoringService.Descriptor,
        RetrainingService.Descriptor, PipelineService.Descriptor, AccessService.Descriptor,
    ];

    public static IReadOnlyDictionary<string, MethodRule> All { get; } = Build();

    /// <summary>The rule of <paramref name="method"/> (a gRPC path), or <see cref="Default"/>.</summary>
    public static MethodRule For(string method) => All.TryGetValue(method, out var rule) ? rule : Default;

    /// <summary>Methods of <see cref="Services"/> without a rule.</summary>
    public static IReadOnlyList<string> Unlisted() =>
        [.. Services.SelectMany(s => s.Methods).Select(PathOf).Where(path => !All.ContainsKey(path))];

    public static string PathOf(MethodDescriptor method) => $"/{method.Service.FullName}/{method.Name}";

    private static Dictionary<string, MethodRule> Build()
    {
        var rules = new Dictionary<string, MethodRule>(StringComparer.Ordinal);
        void Add(ServiceDescriptor service, MethodRule rule, params string[] methods)
        {
            foreach (var name in methods)
            {
                var method = service.FindMethodByName(name)
                    ?? throw new InvalidOperationException($"{service.FullName} has no method {name}");
                rules.Add(PathOf(method), rule);
            }
        }

        MethodRule Change(AccessRole minimum, bool agents = false) => new(minimum, agents, Mutating: true);

        rules.Add("/grpc.health.v1.Health/Check", new MethodRule(AccessRole.None, Agents: true, Mutating: false));
        rules.Add("/grpc.health.v1.Health/Watch", new MethodRule(AccessRole.None, Agents: true, Mutating: false));

        Add(JobService.Descriptor, Read, "GetJob", "ListJobs", "WatchJob");
        Add(JobService.Descriptor, Change(AccessRole.MlEngineer), "SubmitJob", "CancelJob");
        Add(ClusterService.Descriptor, Read, "ListAgents");
        Add(ClusterService.Descriptor, Change(AccessRole.Admin), "SetAgentDrain");
        Add(AgentService.Descriptor, Change(AccessRole.Agent, agents: true), "Connect");

        // Agents fetch datasets and baselines and push models and checkpoints; ml-engineers push datasets.
        Add(ArtifactService.Descriptor, AgentRead, "StatBlob", "PullBlob", "GetManifest", "ListTags");
        Add(ArtifactService.Descriptor, Change(AccessRole.MlEngineer, agents: true), "PushBlob", "PushManifest");

        Add(ModelRegistry.Descriptor, AgentRead, "ListModels", "ListModelVersions", "GetModelVersion");
        Add(ModelRegistry.Descriptor, Change(AccessRole.Deployer), "SetAlias", "DeleteAlias");
        Add(DatasetService.Descriptor, AgentRead, "ListDatasets", "GetDatasetVersion");
        Add(DatasetService.Descriptor, Change(AccessRole.MlEngineer), "CreateDatasetVersion");
        Add(DeploymentService.Descriptor, Read, "GetDeployment", "ListDeployments");
        Add(DeploymentService.Descriptor, Change(AccessRole.Deployer), "Deploy", "Rollback", "DeleteDeployment");
        Add(MonitoringService.Descriptor, Read, "GetModelMonitor");
        Add(RetrainingService.Descriptor, Read, "GetPolicy", "ListPolicies", "ListRuns", "GetRun");
        Add(RetrainingService.Descriptor, Change(AccessRole.Deployer), "SetPolicy", "DeletePolicy", "TriggerRetraining");
        Add(PipelineService.Descriptor, Read, "GetPipelineRun", "ListPipelineRuns");
        Add(PipelineService.Descriptor, Change(AccessRole.MlEngineer), "RunPipeline", "CancelPipelineRun");
        Add(AccessService.Descriptor, AgentRead, "WhoAmI");
        Add(AccessService.Descriptor, new MethodRule(AccessRole.Admin, Agents: false, Mutating: false), "ListTokens", "ListAudit");
        Add(AccessService.Descriptor, Change(AccessRole.Admin), "CreateToken", "RevokeToken");
        return rules;
    }
}
