using System.Net;
using MlOps.Discovery.Http;
using MlOps.Discovery.Sessions;

namespace MlOps.Discovery;

/// <summary>Session endpoints: create, renew, destroy and read.</summary>
public sealed partial class ConsulClient
{
    /// <inheritdoc />
    public async Task<string> CreateSessionAsync(SessionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = request.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException($"invalid session request: {string.Join("; ", errors)}", nameof(request));
        }

        var wire = new SessionCreateWire
        {
            Name = request.Name,
            Node = request.Node,
            Checks = request.Checks is null ? null : [.. request.Checks],
            LockDelay = Duration(request.LockDelay),
            Behavior = request.Behavior == SessionBehavior.Delete ? "delete" : "release",
            Ttl = Duration(request.Ttl),
        };
        var answer = await _transport.SendAsync(
            new ConsulRequest(HttpMethod.Put, "/v1/session/create") { UsesDatacenter = true, Body = Serialize(wire, ConsulJsonContext.Default.SessionCreateWire) },
            cancellationToken);
        var created = Deserialize(answer.Body, ConsulJsonContext.Default.SessionIdWire);
        return string.IsNullOrEmpty(created?.Id) ? throw new ConsulException("Consul created a session but answered no ID") : created.Id;
    }

    /// <inheritdoc />
    public async Task<SessionInfo> RenewSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        var request = new ConsulRequest(HttpMethod.Put, "/v1/session/renew/" + SessionSegment(sessionId)) { UsesDatacenter = true };
        ConsulAnswer answer;
        try
        {
            answer = await _transport.SendAsync(request, cancellationToken);
        }
        catch (ConsulException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new ConsulSessionExpiredException(sessionId, e);
        }

        return Deserialize(answer.Body, ConsulJsonContext.Default.SessionEntryWireArray) is [var entry, ..]
            ? ToSessionInfo(entry)
            : throw new ConsulSessionExpiredException(sessionId, new ConsulException(request.Method.Method, request.Path, answer.Status, null, "renewal answered no session"));
    }

    /// <inheritdoc />
    public async Task DestroySessionAsync(string sessionId, CancellationToken cancellationToken = default) =>
        await _transport.SendAsync(new ConsulRequest(HttpMethod.Put, "/v1/session/destroy/" + SessionSegment(sessionId)) { UsesDatacenter = true }, cancellationToken);

    /// <inheritdoc />
    public async Task<ConsulResponse<SessionInfo?>> GetSessionAsync(string sessionId, QueryOptions? query = null, CancellationToken cancellationToken = default)
    {
        var path = "/v1/session/info/" + SessionSegment(sessionId);
        var answer = await _transport.SendAsync(new ConsulRequest(HttpMethod.Get, path) { UsesDatacenter = true, Read = query }, cancellationToken);
        var info = Deserialize(answer.Body, ConsulJsonContext.Default.SessionEntryWireArray) is [var entry, ..] ? ToSessionInfo(entry) : null;
        return Response(answer, info, query?.WaitIndex ?? 0, path, _logger);
    }

    /// <summary>Consul answers a malformed session id with a 500 ("UUID must be 36 characters"), which would be
    /// retried as a server error; it is refused here instead.</summary>
    internal static string SessionSegment(string sessionId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        return Guid.TryParseExact(sessionId, "D", out _)
            ? sessionId
            : throw new ArgumentException($"a Consul session id is a UUID like adf4238a-882b-9ddc-4a9d-5b6758e4159e, got '{sessionId}'", nameof(sessionId));
    }

    private static SessionInfo ToSessionInfo(SessionEntryWire entry) => new(
        entry.Id,
        entry.Name ?? "",
        entry.Node ?? "",
        [.. entry.Checks ?? [], .. entry.NodeChecks ?? [], .. (entry.ServiceChecks ?? []).Select(c => c.Id)],
        TimeSpan.FromTicks((long)(entry.LockDelay / 100)),
        entry.Behavior == "delete" ? SessionBehavior.Delete : SessionBehavior.Release,
        GoDuration.TryParse(entry.Ttl, out var ttl) && ttl > TimeSpan.Zero ? ttl : null,
        entry.CreateIndex,
        entry.ModifyIndex);
}
