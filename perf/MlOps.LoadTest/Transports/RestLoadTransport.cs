using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;

namespace MlOps.LoadTest.Transports;

/// <summary>
/// Open Inference Protocol REST: <c>POST /v2/models/{name}[/versions/{v}]/infer</c> with a prepared JSON body over
/// HTTP/1.1 keep-alive connections (one per concurrent request at most, as a browser-less load tool opens them).
/// The whole response body is read; any status but 200 is an error named <c>HTTP &lt;code&gt;</c>.
/// </summary>
public sealed class RestLoadTransport : ILoadTransport
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly ConcurrentDictionary<int, string> StatusNames = new();

    private readonly HttpClient _client;
    private readonly Uri _inferUri;
    private readonly IReadOnlyList<byte[]> _bodies;

    public RestLoadTransport(Uri target, string model, string? version, IReadOnlyList<byte[]> bodies, TimeSpan timeout)
    {
        _bodies = bodies;
        _inferUri = InferUri(target, model, version);
        _client = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            MaxConnectionsPerServer = int.MaxValue,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            Timeout = timeout,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
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

    public async ValueTask<string?> SendAsync(int payload, CancellationToken cancellationToken)
    {
        var content = new ByteArrayContent(_bodies[payload]);
        content.Headers.ContentType = Json;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _inferUri) { Content = content };
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken)
                .ConfigureAwait(false);
            return response.StatusCode == HttpStatusCode.OK
                ? null
                : StatusNames.GetOrAdd((int)response.StatusCode, code => $"HTTP {code}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return "timeout";
        }
        catch (OperationCanceledException)
        {
            return "CANCELLED";
        }
        catch (HttpRequestException ex)
        {
            return ex.HttpRequestError == HttpRequestError.ConnectionError ? "connection refused" : "connection error";
        }
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
