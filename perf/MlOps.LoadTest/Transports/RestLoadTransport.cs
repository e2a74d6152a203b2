using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using MlOps.Client.Inference;

namespace MlOps.LoadTest.Transports;

/// <summary>
/// Open Inference Protocol REST: <c>POST /v2/models/{name}[/versions/{v}]/infer</c> with a prepared JSON body over
/// keep-alive HTTP/1.1 connections, at most one request on a connection at a time (a closed-model user keeps one,
/// an open model opens as many as it has requests outstanding). Each request goes out as one prepared buffer, head
/// and body; the response is read to its end but not parsed past the status (<see cref="Http1Connection"/>). Any
/// status but 200 is an error named <c>HTTP &lt;code&gt;</c>.
/// </summary>
public sealed class RestLoadTransport : ILoadTransport
{
    private static readonly ConcurrentDictionary<int, string> StatusNames = new();

    private readonly Uri _target;
    private readonly byte[][] _requests;
    private readonly TimeSpan _timeout;
    private readonly ConcurrentStack<Http1Connection> _idle = new();
    private readonly ConcurrentDictionary<Http1Connection, byte> _open = new();
    private readonly Timer _watchdog;
    private readonly SemaphoreSlim _connections;
    private readonly InferenceEndpointSecurity _security;

    /// <param name="target">The REST endpoint.</param>
    /// <param name="model">The model name.</param>
    /// <param name="version">A pinned version, or null.</param>
    /// <param name="bodies">The prepared JSON bodies.</param>
    /// <param name="timeout">A request not answered within this fails as <c>timeout</c>.</param>
    /// <param name="maxConnections">Most connections open at once; a request finding them all busy waits.</param>
    /// <param name="security">Token (a header in every prepared request) and TLS settings for <c>https://</c>; none when null.</param>
    public RestLoadTransport(Uri target, string model, string? version, IReadOnlyList<byte[]> bodies, TimeSpan timeout,
        int maxConnections = Scenarios.Scenario.DefaultConnections, InferenceEndpointSecurity? security = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxConnections);
        _connections = new SemaphoreSlim(maxConnections, maxConnections);
        _target = target;
        _timeout = timeout;
        _security = security ?? InferenceEndpointSecurity.None;
        var uri = InferUri(target, model, version);
        _requests = bodies.Select(body => Request(uri, body, _security.AuthorizationHeader)).ToArray();
        // One timer for all connections instead of a timed token per request: at tens of thousands of requests a
        // second, arming and disarming a timer each time is a measurable share of the generator's CPU.
        var period = TimeSpan.FromMilliseconds(Math.Clamp(timeout.TotalMilliseconds / 4, 10, 250));
        _watchdog = new Timer(_ => AbortOverdue(), null, period, period);
    }

    /// <summary>The infer URL for a model (and version) under <paramref name="target"/>.</summary>
    public static Uri InferUri(Uri target, string model, string? version)
    {
        var path = string.IsNullOrEmpty(version)
            ? $"v2/models/{Uri.EscapeDataString(model)}/infer"
            : $"v2/models/{Uri.EscapeDataString(model)}/versions/{Uri.EscapeDataString(version)}/infer";
        var baseUri = target.AbsoluteUri.EndsWith('/') ? target : new Uri(target.AbsoluteUri + "/");
        return new Uri(baseUri, path);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<string?> SendAsync(int payload, CancellationToken cancellationToken)
    {
        Http1Connection? connection = null;
        try
        {
            await _connections.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return "CANCELLED";
        }

        try
        {
            if (!_idle.TryPop(out connection))
            {
                using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                connectTimeout.CancelAfter(_timeout);
                connection = await Http1Connection.OpenAsync(_target, _security, connectTimeout.Token).ConfigureAwait(false);
                _open[connection] = 0;
            }

            var status = await connection.SendAsync(_requests[payload], cancellationToken).ConfigureAwait(false);
            if (connection.Reusable)
            {
                _idle.Push(connection);
                connection = null;
            }

            return status == 200 ? null : StatusNames.GetOrAdd(status, code => $"HTTP {code}");
        }
        catch (OperationCanceledException)
        {
            return cancellationToken.IsCancellationRequested ? "CANCELLED" : "timeout";
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return "connection refused";
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
            return connection?.TimedOut == true ? "timeout" : "connection error";
        }
        finally
        {
            if (connection is not null)
            {
                _open.TryRemove(connection, out _);
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            _connections.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _watchdog.DisposeAsync().ConfigureAwait(false);
        foreach (var connection in _open.Keys)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _open.Clear();
        _idle.Clear();
        _connections.Dispose();
    }

    private void AbortOverdue()
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        var limit = (long)(_timeout.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        foreach (var connection in _open.Keys)
        {
            var busy = connection.Busy;
            if (busy != 0 && now - busy > limit)
            {
                connection.Abort();
            }
        }
    }

    private static byte[] Request(Uri uri, byte[] body, string? authorization)
    {
        var credentials = authorization is null ? "" : $"Authorization: {authorization}\r\n";
        var head = Encoding.ASCII.GetBytes(
            $"POST {uri.PathAndQuery} HTTP/1.1\r\nHost: {uri.Authority}\r\n{credentials}Content-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n");
        var request = new byte[head.Length + body.Length];
        head.CopyTo(request, 0);
        body.CopyTo(request, head.Length);
        return request;
    }
}
