using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Discovery.KeyValue;
using MlOps.Discovery.Sessions;

namespace MlOps.Discovery.Locking;

/// <summary>
/// Leader election on one KV key, as Consul's guide describes it: a session with a TTL (renewed at TTL/2), an
/// <c>?acquire=</c> on the key, and blocking reads of the key to wait for it (followers) or to notice its loss
/// (the leader). Leadership ends when the key is no longer held by our session, or when the session is gone or
/// could not be renewed for a whole TTL; then <see cref="LeadershipLost"/> fires, the token from
/// <see cref="AcquireAsync"/> is cancelled and the session is destroyed, so it is never renewed in vain.
/// Disposing releases the key and destroys the session.
/// </summary>
public sealed class ConsulLock : IAsyncDisposable
{
    private readonly IConsulClient _client;
    private readonly ConsulLockOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _disposing = new();
    private SessionLease? _session;
    private LockTerm? _term;
    private Task _lastWatch = Task.CompletedTask;
    private bool _disposed;

    /// <exception cref="ArgumentException">Invalid options; the message lists every problem.</exception>
    public ConsulLock(IConsulClient client, ConsulLockOptions options, TimeProvider? timeProvider = null, ILogger<ConsulLock>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException($"invalid lock options: {string.Join("; ", errors)}", nameof(options));
        }

        _client = client;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Raised once per leadership that ends without <see cref="ReleaseAsync"/>, on a background thread.</summary>
    public event EventHandler<LeadershipLostEventArgs>? LeadershipLost;

    public string Key => _options.Key;

    /// <summary>True while this instance holds the key.</summary>
    public bool IsHeld => Volatile.Read(ref _term) is { } term && !term.Leadership.IsCancellationRequested;

    /// <summary>The session of the current or last attempt, if any.</summary>
    public string? SessionId => Volatile.Read(ref _session)?.Id;

    /// <summary>The key's LockIndex when this leadership began; with <see cref="Key"/> and <see cref="SessionId"/>
    /// it fences work against a stale leader. Null when not held.</summary>
    public ulong? LockIndex => Volatile.Read(ref _term) is { } term && !term.Leadership.IsCancellationRequested ? term.LockIndex : null;

    /// <summary>
    /// Waits until this instance holds the key, and returns a token that is cancelled when leadership ends (lost or
    /// released). Returns at once if already held. While waiting, the session is kept alive and recreated if lost.
    /// </summary>
    /// <exception cref="ConsulException">Consul failed after the client's retries.</exception>
    public async Task<CancellationToken> AcquireAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);
        await _gate.WaitAsync(stop.Token);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_term is { } held && !held.Leadership.IsCancellationRequested)
            {
                return held.Leadership.Token;
            }

            ulong index = 0;
            while (true)
            {
                stop.Token.ThrowIfCancellationRequested();
                var session = await EnsureSessionAsync(stop.Token);
                var current = await ReadKeyAsync(index, session, stop.Token);
                if (current is null)
                {
                    index = 0;
                    continue;
                }

                index = current.Index;
                var holder = current.Value?.Session;
                if (holder == session.Id)
                {
                    return StartTerm(session, current.Value!, current.Index);
                }

                if (holder is not null)
                {
                    continue;
                }

                if (await _client.AcquireKeyAsync(_options.Key, session.Id, _options.Value, stop.Token))
                {
                    // Read it back for the LockIndex (the sequencer) and the index the watch starts from.
                    index = 0;
                    continue;
                }

                // Unlocked yet refused: the last holder's lock-delay, or another contender was faster.
                await Task.Delay(_options.RetryDelay, _time, stop.Token);
                index = 0;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Releases the key (if held) and destroys the session; no <see cref="LeadershipLost"/> event.</summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await ReleaseCoreAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await _disposing.CancelAsync();
        await _gate.WaitAsync();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(10), _time);
            await ReleaseCoreAsync(cleanup.Token);
        }
        finally
        {
            _gate.Release();
        }

        // A loss noticed just before disposal may still be destroying its session.
        await _lastWatch;
    }

    /// <summary>Reads the key; blocks while another session holds it. Null when our session ended meanwhile.</summary>
    private async Task<ConsulResponse<KvEntry?>?> ReadKeyAsync(ulong index, SessionLease session, CancellationToken stop)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, session.Ended);
        try
        {
            return await _client.GetKeyAsync(_options.Key, index > 0 ? QueryOptions.Blocking(index, _options.WatchWait) : null, linked.Token);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            return null;
        }
    }

    private async Task<SessionLease> EnsureSessionAsync(CancellationToken cancellationToken)
    {
        if (_session is { } live && !live.Ended.IsCancellationRequested)
        {
            return live;
        }

        if (Interlocked.Exchange(ref _session, null) is { } ended)
        {
            await EndSessionAsync(ended, destroy: false, cancellationToken);
        }

        var id = await _client.CreateSessionAsync(
            new SessionRequest
            {
                Name = _options.SessionName,
                Ttl = _options.SessionTtl,
                LockDelay = _options.LockDelay,
                Behavior = _options.Behavior,
                Checks = _options.SessionChecks,
            },
            cancellationToken);
        _logger.SessionCreated(id, _options.Key);
        var lease = new SessionLease(id);
        lease.Renewal = RenewAsync(lease);
        Volatile.Write(ref _session, lease);
        return lease;
    }

    private async Task<SessionEnd> RenewAsync(SessionLease lease)
    {
        await Task.Yield();
        var end = await SessionRenewer.RunAsync(_client, lease.Id, _options.SessionTtl, _time, _logger, lease.Stop.Token);
        if (end != SessionEnd.Stopped)
        {
            _logger.SessionEnded(lease.Id, end == SessionEnd.Expired ? "destroyed or expired in Consul" : "not renewed within its TTL");
        }

        lease.MarkEnded(end);
        return end;
    }

    private CancellationToken StartTerm(SessionLease session, KvEntry entry, ulong index)
    {
        var term = new LockTerm(session, entry.LockIndex);
        Volatile.Write(ref _term, term);
        _logger.LockAcquired(_options.Key, session.Id, entry.LockIndex);
        term.Watch = HoldAsync(term, index);
        _lastWatch = term.Watch;
        return term.Leadership.Token;
    }

    /// <summary>Watches the key until it is no longer ours, then ends the leadership (unless released first).</summary>
    private async Task HoldAsync(LockTerm term, ulong index)
    {
        await Task.Yield();
        var reason = await WatchAsync(term, index);
        if (reason is null || Interlocked.CompareExchange(ref _term, null, term) != term)
        {
            return;
        }

        // Retire the session before telling anyone, so a caller that re-acquires at once gets a fresh one.
        var retired = Interlocked.CompareExchange(ref _session, null, term.Session) == term.Session;
        await term.Leadership.CancelAsync();
        _logger.LockLost(_options.Key, term.Session.Id, reason);
        try
        {
            LeadershipLost?.Invoke(this, new LeadershipLostEventArgs(_options.Key, term.Session.Id, reason));
        }
        catch (Exception e)
        {
            _logger.HandlerFailed(_options.Key, e);
        }

        if (retired)
        {
            await EndSessionAsync(term.Session, destroy: true, CancellationToken.None);
        }
    }

    /// <returns>Why the key is no longer ours, or null when the watch was stopped by a release.</returns>
    private async Task<string?> WatchAsync(LockTerm term, ulong index)
    {
        while (true)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(term.StopWatch.Token, term.Session.Ended);
            try
            {
                var current = await _client.GetKeyAsync(_options.Key, QueryOptions.Blocking(Math.Max(index, 1), _options.WatchWait), linked.Token);
                if (current.Value is not { } entry)
                {
                    return "the key was deleted";
                }

                if (entry.Session != term.Session.Id)
                {
                    return entry.IsLocked ? "another session holds the key" : "the key was released (session invalidated)";
                }

                index = current.Index;
            }
            catch (Exception e)
            {
                if (term.StopWatch.IsCancellationRequested)
                {
                    return null;
                }

                if (term.Session.Ended.IsCancellationRequested)
                {
                    return term.Session.EndReason == SessionEnd.Expired ? "the session was destroyed or expired" : "the session could not be renewed within its TTL";
                }

                _logger.WatchFailed(_options.Key, _options.RetryDelay, e);
                try
                {
                    await Task.Delay(_options.RetryDelay, _time, linked.Token);
                }
                catch (OperationCanceledException)
                {
                    // Loop: the checks above say why.
                }
            }
        }
    }

    private async Task ReleaseCoreAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _term, null) is { } term)
        {
            await term.StopWatch.CancelAsync();
            await (term.Watch ?? Task.CompletedTask);
            if (!term.Leadership.IsCancellationRequested)
            {
                try
                {
                    await _client.ReleaseKeyAsync(_options.Key, term.Session.Id, _options.Value, cancellationToken);
                    _logger.LockReleased(_options.Key, term.Session.Id);
                }
                catch (Exception e) when (e is ConsulException or OperationCanceledException)
                {
                    _logger.CleanupFailed(_options.Key, term.Session.Id, e);
                }

                await term.Leadership.CancelAsync();
            }
        }

        if (Interlocked.Exchange(ref _session, null) is { } session)
        {
            await EndSessionAsync(session, destroy: true, cancellationToken);
        }
    }

    private async Task EndSessionAsync(SessionLease session, bool destroy, CancellationToken cancellationToken)
    {
        await session.Stop.CancelAsync();
        var end = await session.Renewal;
        if (destroy && end != SessionEnd.Expired)
        {
            try
            {
                await _client.DestroySessionAsync(session.Id, cancellationToken);
            }
            catch (Exception e) when (e is ConsulException or OperationCanceledException)
            {
                // Its TTL ends it anyway.
                _logger.CleanupFailed(_options.Key, session.Id, e);
            }
        }
    }
}
