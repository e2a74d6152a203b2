using Google.Protobuf;
using MlOps.Contracts;
using MlOps.Coordinator.Agents;

namespace MlOps.Coordinator.Access;

/// <summary>
/// Keeps agents' inference endpoints in step with the API tokens: each agent gets the SHA-256 of every valid token
/// after its welcome and again whenever the set changes (<see cref="ApiTokens.Changed"/>), as one whole snapshot
/// (<see cref="InferenceCredentials"/>); agents that serve with token authentication check callers against it.
/// </summary>
internal sealed class InferenceCredentialsPublisher
{
    private readonly ApiTokens _tokens;
    private readonly AgentSessionRegistry _sessions;

    public InferenceCredentialsPublisher(ApiTokens tokens, AgentSessionRegistry sessions)
    {
        _tokens = tokens;
        _sessions = sessions;
        _tokens.Changed += (_, _) => Broadcast();
    }

    /// <summary>The snapshot for an agent that just connected (the cache reloaded first when it is stale).</summary>
    public async Task<CoordinatorMessage> SnapshotAsync(CancellationToken cancellationToken) =>
        Message(await _tokens.ValidHashesAsync(cancellationToken));

    private static CoordinatorMessage Message(IReadOnlyList<byte[]> hashes)
    {
        var credentials = new InferenceCredentials();
        credentials.TokenSha256.AddRange(hashes.Select(ByteString.CopyFrom));
        return new CoordinatorMessage { InferenceCredentials = credentials };
    }

    private void Broadcast()
    {
        var message = Message(_tokens.ValidHashes());
        foreach (var session in _sessions.All)
        {
            session.Send(message);
        }
    }
}
