using System.Threading.Channels;

namespace MlOps.Coordinator.Scheduling;

/// <summary>
/// Asks a background loop for a pass. Requests coalesce: any number of them before the loop wakes up cause one
/// pass.
/// </summary>
public abstract class CoalescingSignal
{
    private readonly Channel<bool> _requests = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public void Request() => _requests.Writer.TryWrite(true);

    /// <summary>Waits up to <paramref name="timeout"/> for a request; true when one came.</summary>
    internal async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken);
        try
        {
            await _requests.Reader.ReadAsync(linked.Token);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}

/// <summary>Asks the scheduler loop for a pass (on submit, agent connect, job completion).</summary>
public sealed class SchedulerSignal : CoalescingSignal;
