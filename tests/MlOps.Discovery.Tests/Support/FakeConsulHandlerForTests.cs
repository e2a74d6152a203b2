using System.Net;
using System.Text;

namespace MlOps.Discovery.Tests.Support;

/// <summary>
/// An HttpMessageHandler standing in for Consul: records every request (with the fake clock's time when one is
/// given) and answers from a script, the last answer repeating.
/// </summary>
internal sealed class FakeConsulHandlerForTests(params Func<HttpRequestMessage, HttpResponseMessage>[] answers) : HttpMessageHandler
{
    private readonly List<RecordedRequest> _requests = [];
    private int _calls;

    public TimeProvider? Clock { get; init; }

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public static HttpResponseMessage Json(string json, ulong? index = null)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (index is { } i)
        {
            response.Headers.Add("X-Consul-Index", i.ToString());
            response.Headers.Add("X-Consul-KnownLeader", "true");
            response.Headers.Add("X-Consul-LastContact", "0");
        }

        return response;
    }

    /// <summary>An error as Consul 1.8 sends it: plain text.</summary>
    public static HttpResponseMessage Text(HttpStatusCode status, string text) =>
        new(status) { Content = new StringContent(text, Encoding.UTF8, "text/plain") };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        int call;
        lock (_requests)
        {
            _requests.Add(new RecordedRequest(request.Method, request.RequestUri!, headers, body, Clock?.GetUtcNow()));
            call = _calls++;
        }

        return answers[Math.Min(call, answers.Length - 1)](request);
    }
}

internal sealed record RecordedRequest(HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, string? Body, DateTimeOffset? At)
{
    public string PathAndQuery => Uri.PathAndQuery;
}
