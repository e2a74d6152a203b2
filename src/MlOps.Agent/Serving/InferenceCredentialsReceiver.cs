using Microsoft.Extensions.Logging;
using MlOps.Contracts;
using MlOps.Serving.Authentication;

namespace MlOps.Agent.Serving;

/// <summary>
/// Applies the coordinator's <c>inference_credentials</c> (docs/agent-protocol.md): each is a whole snapshot of the
/// SHA-256 digests of the tokens that may call this node's inference endpoints, and replaces the previous one in the
/// <see cref="InferenceCredentialSet"/> the endpoints check. Nothing clears the set when the stream drops, so the
/// last snapshot keeps working across a reconnect; before the first, no token is valid.
/// </summary>
internal sealed partial class InferenceCredentialsReceiver(InferenceCredentialSet credentials, ILogger<InferenceCredentialsReceiver> logger)
{
    public void Apply(InferenceCredentials message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var first = !credentials.HasSnapshot;
        var skipped = credentials.Replace(message.TokenSha256.Select(digest => digest.Memory));
        if (skipped > 0)
        {
            LogMalformed(skipped, InferenceCredentialSet.DigestLength);
        }

        // Counts only: a digest is not a secret, but nothing here needs one in the log either.
        LogReplaced(credentials.Count, first);
    }

    [LoggerMessage(EventId = 2120, Level = LogLevel.Information, Message = "Inference tokens from the coordinator: {Count} valid (first snapshot: {First})")]
    private partial void LogReplaced(int count, bool first);

    [LoggerMessage(EventId = 2121, Level = LogLevel.Warning, Message = "Ignored {Count} inference token digests that are not {Length} bytes long")]
    private partial void LogMalformed(int count, int length);
}
