using System.Collections.Concurrent;

namespace MlOps.Artifacts.Tests.Infrastructure;

/// <summary>Records the method and path of every request the client sends to the real server (observes, changes nothing).</summary>
public sealed class RequestLog
{
    public ConcurrentQueue<string> Requests { get; } = new();

    public int Count(string method) => Requests.Count(r => r.StartsWith(method + " ", StringComparison.Ordinal));

    public HttpMessageHandler Wrap(HttpMessageHandler inner) => new Recorder(this) { InnerHandler = inner };

    private sealed class Recorder(RequestLog log) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            log.Requests.Enqueue($"{request.Method} {request.RequestUri?.AbsolutePath}");
            return base.SendAsync(request, cancellationToken);
        }
    }
}
