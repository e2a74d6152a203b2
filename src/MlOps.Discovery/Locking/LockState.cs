using System.Diagnostics.CodeAnalysis;

namespace MlOps.Discovery.Locking;

/// <summary>A session and its renewal loop.</summary>
[SuppressMessage("Design", "CA1001", Justification = "Its token sources have no timers; other tokens may be linked to them after the session ends.")]
internal sealed class SessionLease(string id)
{
    private readonly CancellationTokenSource _ended = new();

    public string Id { get; } = id;

    public CancellationTokenSource Stop { get; } = new();

    public Task<SessionEnd> Renewal { get; set; } = Task.FromResult(SessionEnd.Stopped);

    /// <summary>Cancelled when the renewal loop stops, for whatever reason.</summary>
    public CancellationToken Ended => _ended.Token;

    public SessionEnd EndReason { get; private set; }

    public void MarkEnded(SessionEnd reason)
    {
        EndReason = reason;
        _ended.Cancel();
    }
}

/// <summary>One leadership: from a successful acquire to its release or loss.</summary>
internal sealed class LockTerm(SessionLease session, ulong lockIndex)
{
    public SessionLease Session { get; } = session;

    public ulong LockIndex { get; } = lockIndex;

    public CancellationTokenSource Leadership { get; } = new();

    public CancellationTokenSource StopWatch { get; } = new();

    public Task? Watch { get; set; }
}
