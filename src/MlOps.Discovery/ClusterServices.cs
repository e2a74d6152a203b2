namespace MlOps.Discovery;

/// <summary>
/// How the cluster's processes appear in Consul (docs/discovery.md, "In the cluster"): the agent registers these
/// services, the coordinator and the inference client read them. One place, so writer and readers agree.
/// </summary>
public static class ClusterServices
{
    /// <summary>One instance per agent process, id = the agent id, with a TTL check the agent passes while it runs.</summary>
    public const string Agent = "mlops-agent";

    /// <summary>One instance per READY model version an agent serves, id <c>&lt;agent&gt;-&lt;model&gt;-&lt;version&gt;</c>,
    /// at the agent's gRPC inference endpoint, with a TTL check the agent passes while the version is READY.</summary>
    public const string Model = "mlops-model";

    /// <summary>Meta key of the full gRPC inference address (<c>http://host:port</c>), as clients dial it.</summary>
    public const string GrpcAddressMeta = "grpc_address";

    /// <summary>Meta key of the REST inference address.</summary>
    public const string RestAddressMeta = "rest_address";

    /// <summary>Meta key of the agent id (on both services).</summary>
    public const string AgentIdMeta = "agent_id";

    /// <summary>The tag that selects a model's instances: <c>model=&lt;name&gt;</c> (the deployment's name).</summary>
    public static string ModelTag(string model) => "model=" + model;

    /// <summary>The tag that selects one version's instances: <c>version=&lt;n&gt;</c>.</summary>
    public static string VersionTag(string version) => "version=" + version;

    /// <summary>The id of a model version's instance on an agent.</summary>
    public static string ModelServiceId(string agentId, string model, string version) => $"{agentId}-{model}-{version}";

    /// <summary>The id of a service instance's TTL check.</summary>
    public static string CheckId(string serviceId) => serviceId + ":ttl";
}
