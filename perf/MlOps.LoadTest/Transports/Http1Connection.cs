using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Net.Sockets;
using MlOps.Client.Inference;

namespace MlOps.LoadTest.Transports;

/// <summary>
/// One keep-alive HTTP/1.1 connection that writes prepared request bytes and reads just enough of the response to
/// know its status and where it ends (Content-Length or chunked), as wrk does. The generator shares the cores with
/// the server under test, and HttpClient's per-request objects and buffering cost it about a third of wrk's
/// throughput here; this costs a few microseconds.
/// </summary>
internal sealed class Http1Connection : IAsyncDisposable
{
    private const int MaxHeaderBytes = 64 * 1024;

    private readonly Socket _socket;
    private readonly Stream _stream;
    private byte[] _buffer = new byte[8192];
    private int _start;
    private int _end;

    private Http1Connection(Socket socket, Stream stream)
    {
        _socket = socket;
        _stream = stream;
    }

    /// <summary>False once the server asked to close, or after an error.</summary>
    public bool Reusable { get; private set; } = true;

    /// <summary>Stopwatch timestamp at which the request in flight was sent; 0 when idle. Read by the watchdog.</summary>
    public long Busy => Volatile.Read(ref _busySince);

    /// <summary>Set when the watchdog closed the connection because its request ran past the timeout.</summary>
    public bool TimedOut { get; private set; }

    private long _busySince;

    /// <summary>Connects to <paramref name="target"/>; an <c>https://</c> target gets TLS with <paramref name="security"/>'s CA and client certificate.</summary>
    public static async Task<Http1Connection> OpenAsync(Uri target, InferenceEndpointSecurity security, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(target.Host, target.Port, cancellationToken).ConfigureAwait(false);
            Stream stream = new NetworkStream(socket, ownsSocket: false);
            if (target.Scheme == Uri.UriSchemeHttps)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                await tls.AuthenticateAsClientAsync(security.TlsOptions(target.IdnHost), cancellationToken).ConfigureAwait(false);
                stream = tls;
            }

            return new Http1Connection(socket, stream);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends one whole request and returns the response's status code once its body has been read.</summary>
    /// <exception cref="IOException">The connection broke or the response is not valid HTTP/1.1.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> SendAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _busySince, System.Diagnostics.Stopwatch.GetTimestamp());
        try
        {
            return await ExchangeAsync(request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _busySince, 0);
        }
    }

    /// <summary>Closes the connection under a request that ran past its timeout; the request fails as <c>timeout</c>.</summary>
    public void Abort()
    {
        TimedOut = true;
        Reusable = false;
        _socket.Dispose();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ExchangeAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        await _stream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        var (status, contentLength, chunked, close) = await ReadHeadAsync(cancellationToken).ConfigureAwait(false);
        if (chunked)
        {
            await SkipChunkedAsync(cancellationToken).ConfigureAwait(false);
        }
        else if (contentLength > 0)
        {
            await SkipAsync(contentLength, cancellationToken).ConfigureAwait(false);
        }
        else if (contentLength < 0)
        {
            // No length and not chunked: the body runs to the end of the connection.
            while (await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                _start = _end;
            }

            close = true;
        }

        Reusable = !close;
        return status;
    }

    public async ValueTask DisposeAsync()
    {
        Reusable = false;
        await _stream.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(int Status, long ContentLength, bool Chunked, bool Close)> ReadHeadAsync(CancellationToken cancellationToken)
    {
        int headEnd;
        while ((headEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (_end - _start >= MaxHeaderBytes || !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new IOException(_end == _start ? "the server closed the connection" : "incomplete or oversized response head");
            }
        }

        var head = Http1Head.Parse(_buffer.AsSpan(_start, headEnd));
        _start += headEnd + 4;
        return head;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SkipAsync(long count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new IOException("the server closed the connection inside a response body");
            }

            var take = (int)Math.Min(count, _end - _start);
            _start += take;
            count -= take;
        }
    }

    private async ValueTask SkipChunkedAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var size = Http1Head.ChunkSize((await ReadLineAsync(cancellationToken).ConfigureAwait(false)).Span);
            if (size == 0)
            {
                // Trailers, if any, end with an empty line.
                while ((await ReadLineAsync(cancellationToken).ConfigureAwait(false)).Length > 0)
                {
                }

                return;
            }

            await SkipAsync(size + 2, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The next line without its CRLF; valid until the next read.</summary>
    private async ValueTask<ReadOnlyMemory<byte>> ReadLineAsync(CancellationToken cancellationToken)
    {
        int end;
        while ((end = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0)
        {
            if (_end - _start >= MaxHeaderBytes || !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new IOException("incomplete chunked body");
            }
        }

        var line = _buffer.AsMemory(_start, end);
        _start += end + 2;
        return line;
    }

    /// <summary>Reads more bytes after what is buffered; false at the end of the stream.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            else
            {
                Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, MaxHeaderBytes * 2));
            }
        }

        var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        _end += read;
        return read > 0;
    }
}
