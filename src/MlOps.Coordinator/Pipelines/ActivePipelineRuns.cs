using System.Collections.Concurrent;

namespace MlOps.Coordinator.Pipelines;

/// <summary>
/// The runs this coordinator is running now: who started each (its jobs run as that owner), the jobs its train
/// steps submitted (for <c>job_id</c> on the step), and how to stop it. A cancellation by a user also cancels the
/// run's jobs; a coordinator that shuts down only stops waiting for them.
/// </summary>
internal sealed class ActivePipelineRuns
{
    private readonly ConcurrentDictionary<string, ActiveRun> _runs = new(StringComparer.Ordinal);

    public ActiveRun Add(string id, string owner, CancellationToken shutdown)
    {
        var run = new ActiveRun(id, owner, CancellationTokenSource.CreateLinkedTokenSource(shutdown));
        return _runs.TryAdd(id, run) ? run : throw new InvalidOperationException($"pipeline run {id} is already running");
    }

    public void Remove(ActiveRun run)
    {
        _runs.TryRemove(KeyValuePair.Create(run.Id, run));
        run.Cancellation.Dispose();
    }

    public bool IsActive(string id) => _runs.ContainsKey(id);

    public IReadOnlyList<ActiveRun> All => [.. _runs.Values];

    public ActiveRun? Find(string id) => _runs.GetValueOrDefault(id);

    /// <summary>The owner of an active run (null when it is not running here: the job gets the default owner).</summary>
    public string? Owner(string runId) => Find(runId)?.Owner;

    public void RecordJob(string runId, string step, string jobId)
    {
        if (Find(runId) is { } run)
        {
            run.Jobs[step] = jobId;
        }
    }

    public bool IsCancelledByUser(string runId) => Find(runId)?.CancelledByUser ?? false;
}

/// <summary>One running pipeline run.</summary>
internal sealed class ActiveRun(string id, string owner, CancellationTokenSource cancellation)
{
    private int _cancelledByUser;

    public string Id { get; } = id;

    public string Owner { get; } = owner;

    public CancellationTokenSource Cancellation { get; } = cancellation;

    /// <summary>Train steps' jobs by step name.</summary>
    public ConcurrentDictionary<string, string> Jobs { get; } = new(StringComparer.Ordinal);

    /// <summary>Completes when the run has ended and its last record is stored.</summary>
    public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool CancelledByUser => Volatile.Read(ref _cancelledByUser) == 1;

    public string? JobOf(string step) => Jobs.GetValueOrDefault(step);

    /// <summary>Stops the run for a user: its running steps are cancelled, and with them their jobs.</summary>
    public void CancelByUser()
    {
        Volatile.Write(ref _cancelledByUser, 1);
        try
        {
            Cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // It ended meanwhile.
        }
    }
}
