using Grpc.Core;
using Grpc.Net.Client;
using MlOps.Contracts;

namespace MlOps.Client.Rpc;

/// <summary>
/// Calls whichever of several coordinators leads. Each call goes to the current address; a unary call refused by a
/// follower (UNAVAILABLE with the <see cref="LeaderRedirect.TrailerKey"/> trailer) is sent again to the leader it
/// names, and one that cannot reach its coordinator at all (UNAVAILABLE without the trailer) is tried on the next
/// address, with a short growing pause, until <see cref="FailoverTimeout"/> has passed — long enough to ride out an
/// election. With a single address only redirects are followed. Streaming calls are not retried (their caller
/// reconnects); <see cref="Failover(RpcException)"/> moves them on. One channel per address, created on first use.
/// </summary>
/// <remarks>A unary call is resent only when it did not reach a working server (<see cref="RpcFailures.IsTransportFailure"/>:
/// UNAVAILABLE, which a follower returns before doing anything, or the transport's own INTERNAL); a coordinator
/// that died after applying a call but before answering sees it twice, so calls that create things carry an id chosen
/// by the client (SubmitJob's job_id) that makes the repeat return the first result.</remarks>
public sealed class CoordinatorCallInvoker : CallInvoker, IDisposable
{
    private const int MaxRedirects = 3;
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(2);

    private readonly Func<string, GrpcChannel> _createChannel;
    private readonly Dictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);
    private readonly List<string> _addresses;
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private string _current;

    /// <param name="addresses">Coordinator addresses (<c>http://HOST:PORT</c>), the first tried first.</param>
    /// <param name="createChannel">Makes the channel for one address.</param>
    /// <param name="time">Clock of the failover pauses; the system clock by default.</param>
    public CoordinatorCallInvoker(IEnumerable<string> addresses, Func<string, GrpcChannel> createChannel, TimeProvider? time = null)
    {
        _addresses = [.. addresses.Select(a => a.Trim().TrimEnd('/')).Where(a => a.Length > 0).Distinct(StringComparer.Ordinal)];
        if (_addresses.Count == 0)
        {
            throw new ArgumentException("at least one coordinator address is needed", nameof(addresses));
        }

        _createChannel = createChannel;
        _time = time ?? TimeProvider.System;
        _current = _addresses[0];
    }

    /// <summary>Splits a comma-separated list of coordinator addresses (<c>Agent:CoordinatorAddress</c>, <c>--coordinator</c>).</summary>
    public static IReadOnlyList<string> ParseList(string addresses) =>
        [.. addresses.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>How long a unary call keeps trying other coordinators while none answers. Default 30 s.</summary>
    public TimeSpan FailoverTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The address calls go to now.</summary>
    public string Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    /// <summary>The addresses known, including leaders learnt from redirects.</summary>
    public IReadOnlyList<string> Addresses
    {
        get
        {
            lock (_gate)
            {
                return [.. _addresses];
            }
        }
    }

    /// <summary>Raised when calls move to another coordinator (from, to, why).</summary>
    public event Action<string, string, string>? Switched;

    /// <summary>
    /// After a failed call: moves on to the leader the failure names, or to the next address when it could not reach
    /// its coordinator. Returns true when the next call goes somewhere else (or should be tried again at once).
    /// </summary>
    public bool Failover(RpcException failure) => TryFailover(failure, out _);

    private bool TryFailover(RpcException failure, out bool redirected)
    {
        redirected = false;
        if (!RpcFailures.IsTransportFailure(failure))
        {
            return false;
        }

        var leader = failure.Trailers.GetValue(LeaderRedirect.TrailerKey)?.Trim().TrimEnd('/');
        string from, to;
        lock (_gate)
        {
            from = _current;
            if (!string.IsNullOrEmpty(leader) && Uri.TryCreate(leader, UriKind.Absolute, out _))
            {
                if (!_addresses.Contains(leader, StringComparer.Ordinal))
                {
                    _addresses.Add(leader);
                }

                redirected = true;
                to = leader;
            }
            else if (_addresses.Count > 1)
            {
                to = _addresses[(_addresses.IndexOf(_current) + 1) % _addresses.Count];
            }
            else
            {
                return false;
            }

            _current = to;
        }

        if (!string.Equals(from, to, StringComparison.Ordinal))
        {
            Switched?.Invoke(from, to, failure.Status.Detail);
        }

        return true;
    }

    private CallInvoker InvokerFor(string address)
    {
        lock (_gate)
        {
            if (!_channels.TryGetValue(address, out var channel))
            {
                channel = _createChannel(address);
                _channels[address] = channel;
            }

            return channel.CreateCallInvoker();
        }
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        AsyncUnaryCall(method, host, options, request).ResponseAsync.GetAwaiter().GetResult();

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var final = new TaskCompletionSource<AsyncUnaryCall<TResponse>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var response = CallWithFailoverAsync(method, host, options, request, final);
        return new AsyncUnaryCall<TResponse>(
            response,
            HeadersAsync(final.Task),
            () => final.Task.IsCompletedSuccessfully ? final.Task.Result.GetStatus() : new Status(StatusCode.Unknown, "the call has not finished"),
            () => final.Task.IsCompletedSuccessfully ? final.Task.Result.GetTrailers() : [],
            () =>
            {
                if (final.Task.IsCompletedSuccessfully)
                {
                    final.Task.Result.Dispose();
                }
            });
    }

    private static async Task<Metadata> HeadersAsync<TResponse>(Task<AsyncUnaryCall<TResponse>> final) =>
        await (await final).ResponseHeadersAsync;

    private async Task<TResponse> CallWithFailoverAsync<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request, TaskCompletionSource<AsyncUnaryCall<TResponse>> final)
        where TRequest : class
        where TResponse : class
    {
        var started = _time.GetTimestamp();
        var pause = FirstPause;
        var redirects = 0;
        while (true)
        {
            var call = InvokerFor(Current).AsyncUnaryCall(method, host, options, request);
            try
            {
                var result = await call.ResponseAsync;
                final.TrySetResult(call);
                return result;
            }
            catch (RpcException ex) when (RpcFailures.IsTransportFailure(ex) && !options.CancellationToken.IsCancellationRequested &&
                                          (options.Deadline is not { } deadline || deadline > DateTime.UtcNow))
            {
                if (!TryFailover(ex, out var redirected))
                {
                    final.TrySetResult(call);
                    throw;
                }

                if (redirected && ++redirects <= MaxRedirects)
                {
                    call.Dispose();
                    continue;
                }

                if (_time.GetElapsedTime(started) + pause > FailoverTimeout)
                {
                    final.TrySetResult(call);
                    throw;
                }

                call.Dispose();
                redirects = 0;
                await Task.Delay(pause, _time, options.CancellationToken);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, MaxPause.Ticks));
            }
            catch
            {
                final.TrySetResult(call);
                throw;
            }
        }
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        InvokerFor(Current).AsyncServerStreamingCall(method, host, options, request);

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        InvokerFor(Current).AsyncClientStreamingCall(method, host, options);

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        InvokerFor(Current).AsyncDuplexStreamingCall(method, host, options);

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var channel in _channels.Values)
            {
                channel.Dispose();
            }

            _channels.Clear();
        }
    }
}
