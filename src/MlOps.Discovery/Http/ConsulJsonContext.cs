using System.Text.Json.Serialization;

namespace MlOps.Discovery.Http;

/// <summary>Source-generated JSON for every Consul payload: no reflection, nulls left out of requests.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(ServiceRegistrationWire))]
[JsonSerializable(typeof(TtlUpdateWire))]
[JsonSerializable(typeof(ServiceEntryWire[]))]
[JsonSerializable(typeof(KvPairWire[]))]
[JsonSerializable(typeof(SessionCreateWire))]
[JsonSerializable(typeof(SessionIdWire))]
[JsonSerializable(typeof(SessionEntryWire[]))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(string))]
internal sealed partial class ConsulJsonContext : JsonSerializerContext;
