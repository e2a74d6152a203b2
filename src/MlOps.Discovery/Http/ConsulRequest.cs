using System.Net;

namespace MlOps.Discovery.Http;

/// <summary>One Consul API call as the transport sends it (again, on retries).</summary>
internal sealed class ConsulRequest(HttpMethod method, string path)
{
    public HttpMethod Method { get; } = method;

    /// <summary>Path under the agent's address, starting with <c>/v1/</c>, segments already escaped.</summary>
    public string Path { get; } = path;

    /// <summary>Query parameters in order; a null value is a bare flag such as <c>passing</c>.</summary>
    public List<KeyValuePair<string, string?>> Query { get; } = [];

    public byte[]? Body { get; init; }

    public string? ContentType { get; init; }

    /// <summary>Adds <c>?dc=</c> from the options (catalog, health, KV and session endpoints).</summary>
    public bool UsesDatacenter { get; init; }

    /// <summary>A 404 is an answer (a missing key), not an error.</summary>
    public bool NotFoundIsAnswer { get; init; }

    public QueryOptions? Read { get; init; }

    public ConsulRequest With(string name, string? value = null)
    {
        Query.Add(new(name, value));
        return this;
    }
}

/// <summary>Consul's answer: status, body and the blocking-query headers.</summary>
internal sealed record ConsulAnswer(HttpStatusCode Status, byte[] Body, ulong Index, bool KnownLeader, TimeSpan LastContact)
{
    public bool IsNotFound => Status == HttpStatusCode.NotFound;
}
