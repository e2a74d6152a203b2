using System.Globalization;
using MlOps.Discovery.Http;
using MlOps.Discovery.KeyValue;

namespace MlOps.Discovery;

/// <summary>KV endpoints: reads (blocking when asked), writes with check-and-set, and session locks.</summary>
public sealed partial class ConsulClient
{
    /// <inheritdoc />
    public async Task<ConsulResponse<KvEntry?>> GetKeyAsync(string key, QueryOptions? query = null, CancellationToken cancellationToken = default)
    {
        var path = KeyPath(key);
        var answer = await _transport.SendAsync(new ConsulRequest(HttpMethod.Get, path) { UsesDatacenter = true, NotFoundIsAnswer = true, Read = query }, cancellationToken);
        KvEntry? entry = null;
        if (!answer.IsNotFound && Deserialize(answer.Body, ConsulJsonContext.Default.KvPairWireArray) is [var pair, ..])
        {
            entry = new KvEntry(pair.Key, pair.Value ?? [], pair.Flags, pair.CreateIndex, pair.ModifyIndex, pair.LockIndex,
                string.IsNullOrEmpty(pair.Session) ? null : pair.Session);
        }

        return Response(answer, entry, query?.WaitIndex ?? 0, path, _logger);
    }

    /// <inheritdoc />
    public Task<bool> PutKeyAsync(string key, ReadOnlyMemory<byte> value, ulong? cas = null, CancellationToken cancellationToken = default)
    {
        var request = new ConsulRequest(HttpMethod.Put, KeyPath(key)) { UsesDatacenter = true, Body = value.ToArray(), ContentType = "application/octet-stream" };
        if (cas is { } index)
        {
            request.With("cas", index.ToString(CultureInfo.InvariantCulture));
        }

        return SendForBoolAsync(request, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> DeleteKeyAsync(string key, ulong? cas = null, CancellationToken cancellationToken = default)
    {
        if (cas == 0)
        {
            // Consul would answer false without deleting anything; the caller meant something else.
            throw new ArgumentOutOfRangeException(nameof(cas), cas, "a delete's check-and-set index must be the key's ModifyIndex (> 0)");
        }

        var request = new ConsulRequest(HttpMethod.Delete, KeyPath(key)) { UsesDatacenter = true };
        if (cas is { } index)
        {
            request.With("cas", index.ToString(CultureInfo.InvariantCulture));
        }

        return SendForBoolAsync(request, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> AcquireKeyAsync(string key, string sessionId, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        var session = SessionSegment(sessionId);
        var request = new ConsulRequest(HttpMethod.Put, KeyPath(key)) { UsesDatacenter = true, Body = value.ToArray(), ContentType = "application/octet-stream" };
        return SendForBoolAsync(request.With("acquire", session), cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> ReleaseKeyAsync(string key, string sessionId, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        var session = SessionSegment(sessionId);
        var request = new ConsulRequest(HttpMethod.Put, KeyPath(key)) { UsesDatacenter = true, Body = value.ToArray(), ContentType = "application/octet-stream" };
        return SendForBoolAsync(request.With("release", session), cancellationToken);
    }

    private async Task<bool> SendForBoolAsync(ConsulRequest request, CancellationToken cancellationToken)
    {
        var answer = await _transport.SendAsync(request, cancellationToken);
        return Deserialize(answer.Body, ConsulJsonContext.Default.Boolean);
    }

    /// <summary>Keys keep their slashes; each segment is escaped on its own.</summary>
    private static string KeyPath(string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        var trimmed = key.TrimStart('/');
        if (trimmed.Length == 0)
        {
            throw new ArgumentException("a key needs more than slashes", nameof(key));
        }

        return "/v1/kv/" + string.Join('/', trimmed.Split('/').Select(Uri.EscapeDataString));
    }
}
