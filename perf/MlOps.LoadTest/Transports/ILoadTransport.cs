namespace MlOps.LoadTest.Transports;

/// <summary>Sends one prepared request and says how it ended. Called concurrently from many virtual users.</summary>
public interface ILoadTransport : IAsyncDisposable
{
    /// <summary>
    /// Sends payload <paramref name="payload"/> and waits for the whole answer. Returns null on success, otherwise
    /// the status the request ended with (<c>UNAVAILABLE</c>, <c>HTTP 503</c>, <c>timeout</c>, ...); a status is a
    /// constant string, so counting errors allocates nothing. Never throws for a failed request.
    /// </summary>
    ValueTask<string?> SendAsync(int payload, CancellationToken cancellationToken);
}
