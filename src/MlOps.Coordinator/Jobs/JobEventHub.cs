using System.Threading.Channels;
using MlOps.Contracts;

namespace MlOps.Coordinator.Jobs;

/// <summary>
/// Fans stored job events out to live watchers. Publishing never blocks: each subscription buffers a bounded
/// number of events and drops the oldest when a watcher falls behind; a watcher notices the gap in sequence
/// numbers and reads the missing events back from the store, so a slow watcher costs a query, not memory.
/// </summary>
public sealed class JobEventHub
{
    /// <summary>Events a subscription holds before it starts dropping the oldest.</summary>
    public const int SubscriptionCapacity = 256;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<Subscription>> _subscriptions = new(StringComparer.Ordinal);

    /// <summary>Starts receiving the events of <paramref name="jobId"/> published from now on.</summary>
    public Subscription Subscribe(string jobId)
    {
        var subscription = new Subscription(this, jobId);
        lock (_lock)
        {
            if (!_subscriptions.TryGetValue(jobId, out var list))
            {
                _subscriptions[jobId] = list = [];
            }

            list.Add(subscription);
        }

        return subscription;
    }

    /// <summary>Hands events (already stored, in sequence order per job) to the job's subscribers.</summary>
    public void Publish(IReadOnlyList<JobEvent> events)
    {
        if (events.Count == 0)
        {
            return;
        }

        Subscription[] targets;
        lock (_lock)
        {
            if (!_subscriptions.TryGetValue(events[0].JobId, out var list))
            {
                return;
            }

            targets = [.. list];
        }

        foreach (var e in events)
        {
            foreach (var target in targets.Where(t => t.JobId == e.JobId))
            {
                target.Writer.TryWrite(e);
            }
        }
    }

    /// <summary>Number of open subscriptions for a job (for tests and diagnostics).</summary>
    public int SubscriberCount(string jobId)
    {
        lock (_lock)
        {
            return _subscriptions.TryGetValue(jobId, out var list) ? list.Count : 0;
        }
    }

    private void Remove(Subscription subscription)
    {
        lock (_lock)
        {
            if (_subscriptions.TryGetValue(subscription.JobId, out var list) && list.Remove(subscription) && list.Count == 0)
            {
                _subscriptions.Remove(subscription.JobId);
            }
        }
    }

    /// <summary>One watcher's live feed of a job's events. Dispose it to unsubscribe.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly JobEventHub _hub;
        private readonly Channel<JobEvent> _channel = Channel.CreateBounded<JobEvent>(
            new BoundedChannelOptions(SubscriptionCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

        internal Subscription(JobEventHub hub, string jobId)
        {
            _hub = hub;
            JobId = jobId;
        }

        public string JobId { get; }

        public ChannelReader<JobEvent> Reader => _channel.Reader;

        internal ChannelWriter<JobEvent> Writer => _channel.Writer;

        public void Dispose()
        {
            _hub.Remove(this);
            _channel.Writer.TryComplete();
        }
    }
}
