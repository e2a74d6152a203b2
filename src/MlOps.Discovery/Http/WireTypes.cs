using System.Text.Json.Serialization;

namespace MlOps.Discovery.Http;

// Consul's JSON as sent and received (Go field names, Go duration strings). The public records map to and from
// these, so callers see TimeSpan and enums and never Consul's spelling.

internal sealed class ServiceRegistrationWire
{
    [JsonPropertyName("ID")]
    public string? Id { get; set; }

    public string Name { get; set; } = "";

    public string[]? Tags { get; set; }

    public string? Address { get; set; }

    public int? Port { get; set; }

    public Dictionary<string, string>? Meta { get; set; }

    public CheckWire[]? Checks { get; set; }
}

internal sealed class CheckWire
{
    [JsonPropertyName("CheckID")]
    public string? CheckId { get; set; }

    public string? Name { get; set; }

    public string? Notes { get; set; }

    [JsonPropertyName("TTL")]
    public string? Ttl { get; set; }

    [JsonPropertyName("HTTP")]
    public string? Http { get; set; }

    public string? Method { get; set; }

    [JsonPropertyName("TLSSkipVerify")]
    public bool? TlsSkipVerify { get; set; }

    [JsonPropertyName("GRPC")]
    public string? Grpc { get; set; }

    [JsonPropertyName("GRPCUseTLS")]
    public bool? GrpcUseTls { get; set; }

    public string? Interval { get; set; }

    public string? Timeout { get; set; }

    public string? DeregisterCriticalServiceAfter { get; set; }

    public string? Status { get; set; }
}

internal sealed class TtlUpdateWire
{
    public string Status { get; set; } = "";

    public string? Output { get; set; }
}

internal sealed class ServiceEntryWire
{
    public NodeWire? Node { get; set; }

    public AgentServiceWire? Service { get; set; }

    public HealthCheckWire[]? Checks { get; set; }
}

internal sealed class NodeWire
{
    public string? Node { get; set; }

    public string? Address { get; set; }

    public string? Datacenter { get; set; }
}

internal sealed class AgentServiceWire
{
    [JsonPropertyName("ID")]
    public string? Id { get; set; }

    public string? Service { get; set; }

    public string[]? Tags { get; set; }

    public string? Address { get; set; }

    public Dictionary<string, string>? Meta { get; set; }

    public int Port { get; set; }
}

internal sealed class HealthCheckWire
{
    [JsonPropertyName("CheckID")]
    public string? CheckId { get; set; }

    public string? Name { get; set; }

    public string? Status { get; set; }

    public string? Output { get; set; }

    [JsonPropertyName("ServiceID")]
    public string? ServiceId { get; set; }
}

internal sealed class KvPairWire
{
    public string Key { get; set; } = "";

    public ulong CreateIndex { get; set; }

    public ulong ModifyIndex { get; set; }

    public ulong LockIndex { get; set; }

    public ulong Flags { get; set; }

    /// <summary>Base64 on the wire; System.Text.Json decodes it into bytes. Null for a key without a value.</summary>
    public byte[]? Value { get; set; }

    public string? Session { get; set; }
}

internal sealed class SessionCreateWire
{
    public string? Name { get; set; }

    public string? Node { get; set; }

    /// <summary>Null leaves Consul's default (the node's serfHealth check); an empty array means no checks.</summary>
    public string[]? Checks { get; set; }

    public string? LockDelay { get; set; }

    public string? Behavior { get; set; }

    [JsonPropertyName("TTL")]
    public string? Ttl { get; set; }
}

internal sealed class SessionIdWire
{
    [JsonPropertyName("ID")]
    public string Id { get; set; } = "";
}

internal sealed class SessionEntryWire
{
    [JsonPropertyName("ID")]
    public string Id { get; set; } = "";

    public string? Name { get; set; }

    public string? Node { get; set; }

    /// <summary>Check ids in Consul before 1.7; 1.7 and later answer <see cref="NodeChecks"/> and
    /// <see cref="ServiceChecks"/> instead (and still accept <c>Checks</c> on create).</summary>
    public string[]? Checks { get; set; }

    public string[]? NodeChecks { get; set; }

    public ServiceCheckWire[]? ServiceChecks { get; set; }

    /// <summary>Nanoseconds (a Go time.Duration), unlike <see cref="Ttl"/>.</summary>
    public double LockDelay { get; set; }

    public string? Behavior { get; set; }

    [JsonPropertyName("TTL")]
    public string? Ttl { get; set; }

    public ulong CreateIndex { get; set; }

    public ulong ModifyIndex { get; set; }
}

internal sealed class ServiceCheckWire
{
    [JsonPropertyName("ID")]
    public string Id { get; set; } = "";
}
