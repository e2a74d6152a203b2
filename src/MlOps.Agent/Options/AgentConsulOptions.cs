namespace MlOps.Agent.Options;

/// <summary>
/// How the agent registers in Consul, bound from <c>Agent:Consul</c>. The same section is bound to the Consul
/// client's <see cref="MlOps.Discovery.ConsulOptions"/> too, so <c>Agent:Consul:Token</c>, <c>Datacenter</c>,
/// <c>RequestTimeout</c> and <c>Retry</c> are set there. Nothing is registered unless <see cref="Address"/> is set.
/// </summary>
public sealed class AgentConsulOptions
{
    public const string SectionName = AgentOptions.SectionName + ":Consul";

    /// <summary>Consul's lower limit on <see cref="DeregisterCriticalAfter"/>: Consul raises smaller values to it.</summary>
    public static readonly TimeSpan MinDeregisterCriticalAfter = TimeSpan.FromMinutes(1);

    /// <summary>The local Consul agent's HTTP API, e.g. <c>http://127.0.0.1:8500</c>. Empty (default): the agent does
    /// not use Consul.</summary>
    public string Address { get; set; } = "";

    /// <summary>How often the agent passes its TTL checks; each check's TTL is three times this, so two passes may be
    /// lost before Consul marks the agent critical. Default 5 s (a 15 s TTL, like the coordinator's lease).</summary>
    public TimeSpan PassInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Consul removes the agent's services once their check has been critical this long (a crashed agent
    /// does not stay listed forever). At least 1 minute, Consul's own minimum. Default 10 min.</summary>
    public TimeSpan DeregisterCriticalAfter { get; set; } = TimeSpan.FromMinutes(10);

    public bool Enabled => !string.IsNullOrWhiteSpace(Address);

    /// <summary>The TTL of every check the agent registers: three <see cref="PassInterval"/>s.</summary>
    public TimeSpan CheckTtl => PassInterval * 3;
}
