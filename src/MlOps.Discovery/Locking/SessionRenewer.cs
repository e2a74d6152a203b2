using Microsoft.Extensions.Logging;

namespace MlOps.Discovery.Locking;

/// <summary>Why a session's renewal loop stopped.</summary>
internal enum SessionEnd
{
    /// <summary>Its owner stopped it.</summary>
    Stopped,

    /// <summary>Consul answered 404: the session was destroyed or expired.</summary>
    Expired,

    /// <summary>No renewal succeeded for a whole TTL, so Consul may have dropped it; treat it as gone.</summary>
    Unrenewable,
}

/// <summary>
/// Keeps a session alive: renews at TTL/2 (adopting the TTL Consul answers, which may be longer under load),
/// retries failed renewals until a whole TTL has passed since the last success (a Consul leader election must not
/// cost the lock), and reports when the session is gone. All waits run on the injected clock.
/// </summary>
internal static class SessionRenewer
{
    private static readonly TimeSpan MinRetryDelay = TimeSpan.FromMilliseconds(100);

    public static async Task<SessionEnd> RunAsync(
        IConsulClient client, string sessionId, TimeSpan ttl, TimeProvider time, ILogger logger, CancellationToken stop)
    {
        var lastRenewed = time.GetTimestamp();
        var delay = ttl / 2;
        while (true)
        {
            try
            {
                await Task.Delay(delay, time, stop);
            }
            catch (OperationCanceledException)
            {
                return SessionEnd.Stopped;
            }

            var remaining = ttl - time.GetElapsedTime(lastRenewed);
            if (remaining <= TimeSpan.Zero)
            {
                return SessionEnd.Unrenewable;
            }

            try
            {
                // A renewal still hanging when the TTL runs out is as good as failed.
                using var deadline = new CancellationTokenSource(remaining, time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, deadline.Token);
                var info = await client.RenewSessionAsync(sessionId, linked.Token);
                lastRenewed = time.GetTimestamp();
                ttl = info.Ttl ?? ttl;
                delay = ttl / 2;
            }
            catch (ConsulSessionExpiredException)
            {
                return SessionEnd.Expired;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return SessionEnd.Stopped;
            }
            catch (Exception e)
            {
                remaining = ttl - time.GetElapsedTime(lastRenewed);
                if (remaining <= TimeSpan.Zero)
                {
                    return SessionEnd.Unrenewable;
                }

                logger.RenewFailed(sessionId, remaining, e);
                var retry = ttl / 10 < MinRetryDelay ? MinRetryDelay : ttl / 10;
                delay = retry < remaining ? retry : remaining;
            }
        }
    }
}
