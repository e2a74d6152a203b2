using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;

namespace MlOps.Discovery.Http;

/// <summary>
/// Sends <see cref="ConsulRequest"/>s: token header, datacenter, blocking parameters, a timeout per attempt that
/// covers the blocking wait, retries with jittered backoff for connection errors and 5xx, and plain-text error
/// bodies turned into <see cref="ConsulException"/>.
/// </summary>
internal sealed class ConsulTransport
{
    public const string TokenHeader = "X-Consul-Token";
    private const int MaxErrorText = 2048;

    private readonly HttpClient _http;
    private readonly ConsulOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RetryBackoff _backoff;
    private readonly string _baseAddress;

    public ConsulTransport(HttpClient http, ConsulOptions options, TimeProvider time, ILogger logger, Random? random = null)
    {
        _http = http;
        _options = options;
        _time = time;
        _logger = logger;
        _backoff = new RetryBackoff(options.Retry, random);
        _baseAddress = options.Address.TrimEnd('/');
    }

    public async Task<ConsulAnswer> SendAsync(ConsulRequest request, CancellationToken cancellationToken)
    {
        var attemptTimeout = AttemptTimeout(request.Read);
        if (_http.Timeout != Timeout.InfiniteTimeSpan && _http.Timeout < attemptTimeout)
        {
            // HttpClient would cancel a long blocking query with a TaskCanceledException that looks like ours.
            throw new InvalidOperationException(
                $"HttpClient.Timeout ({_http.Timeout}) is shorter than this request may take ({attemptTimeout}: wait + wait/16 + RequestTimeout); " +
                "give ConsulClient an HttpClient with Timeout.InfiniteTimeSpan, it applies its own timeout per attempt");
        }

        var uri = BuildUri(request);
        var maxAttempts = _options.Retry.MaxAttempts;
        for (var attempt = 1; ; attempt++)
        {
            ConsulException failure;
            using (var timeout = new CancellationTokenSource(attemptTimeout, _time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
            {
                try
                {
                    using var message = BuildMessage(request, uri);
                    using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, linked.Token);
                    var body = await response.Content.ReadAsByteArrayAsync(linked.Token);
                    if (response.IsSuccessStatusCode || (request.NotFoundIsAnswer && response.StatusCode == HttpStatusCode.NotFound))
                    {
                        return ToAnswer(response, body);
                    }

                    failure = StatusError(request, response.StatusCode, body);
                    if ((int)response.StatusCode < 500)
                    {
                        throw failure;
                    }
                }
                catch (HttpRequestException e) when (!cancellationToken.IsCancellationRequested)
                {
                    failure = new ConsulException(request.Method.Method, request.Path, null, null,
                        $"Consul {request.Method} {request.Path} at {_baseAddress} failed: {e.Message}", e);
                }
                catch (OperationCanceledException e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    failure = new ConsulException(request.Method.Method, request.Path, null, null,
                        $"Consul {request.Method} {request.Path} at {_baseAddress} timed out after {attemptTimeout}", e);
                    if (request.Method != HttpMethod.Get)
                    {
                        // A write that timed out may have been applied; repeating it is the caller's decision.
                        throw failure;
                    }
                }
            }

            if (attempt >= maxAttempts)
            {
                throw failure;
            }

            var delay = _backoff.DelayBefore(attempt);
            _logger.Retrying(request.Method.Method, request.Path, failure.StatusCode is { } status ? ((int)status).ToString(CultureInfo.InvariantCulture) : failure.InnerException?.GetType().Name ?? "error",
                attempt, maxAttempts - 1, delay);
            await Task.Delay(delay, _time, cancellationToken);
        }
    }

    /// <summary>RequestTimeout, plus the wait and Consul's jitter of up to wait/16 for a blocking query.</summary>
    public TimeSpan AttemptTimeout(QueryOptions? read) =>
        read is { IsBlocking: true } ? _options.RequestTimeout + read.EffectiveWait + (read.EffectiveWait / 16) : _options.RequestTimeout;

    private Uri BuildUri(ConsulRequest request)
    {
        var query = new List<KeyValuePair<string, string?>>(request.Query);
        if (request.UsesDatacenter && _options.Datacenter is not null)
        {
            query.Add(new("dc", _options.Datacenter));
        }

        if (request.Read is { } read)
        {
            if (read.IsBlocking)
            {
                if (read.EffectiveWait <= TimeSpan.Zero || read.EffectiveWait > QueryOptions.MaxWait)
                {
                    throw new ArgumentOutOfRangeException(nameof(request), read.EffectiveWait, $"a blocking wait must be positive and at most {QueryOptions.MaxWait}");
                }

                query.Add(new("index", read.WaitIndex.ToString(CultureInfo.InvariantCulture)));
                query.Add(new("wait", GoDuration.Format(read.EffectiveWait)));
            }

            if (read.Consistency != ConsulConsistency.Default)
            {
                query.Add(new(read.Consistency == ConsulConsistency.Stale ? "stale" : "consistent", null));
            }
        }

        var builder = new StringBuilder(_baseAddress).Append(request.Path);
        for (var i = 0; i < query.Count; i++)
        {
            builder.Append(i == 0 ? '?' : '&').Append(Uri.EscapeDataString(query[i].Key));
            if (query[i].Value is { } value)
            {
                builder.Append('=').Append(Uri.EscapeDataString(value));
            }
        }

        return new Uri(builder.ToString(), UriKind.Absolute);
    }

    private HttpRequestMessage BuildMessage(ConsulRequest request, Uri uri)
    {
        var message = new HttpRequestMessage(request.Method, uri);
        if (_options.Token is { } token)
        {
            message.Headers.TryAddWithoutValidation(TokenHeader, token);
        }

        if (request.Body is { } body)
        {
            message.Content = new ByteArrayContent(body);
            message.Content.Headers.ContentType = new MediaTypeHeaderValue(request.ContentType ?? "application/json");
        }

        return message;
    }

    private static ConsulAnswer ToAnswer(HttpResponseMessage response, byte[] body)
    {
        var headers = response.Headers;
        var index = headers.TryGetValues("X-Consul-Index", out var values) && ulong.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : 0;
        var knownLeader = headers.TryGetValues("X-Consul-KnownLeader", out var leader) && string.Equals(leader.FirstOrDefault(), "true", StringComparison.OrdinalIgnoreCase);
        var lastContact = headers.TryGetValues("X-Consul-LastContact", out var contact) && long.TryParse(contact.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? TimeSpan.FromMilliseconds(ms)
            : TimeSpan.Zero;
        return new ConsulAnswer(response.StatusCode, body, index, knownLeader, lastContact);
    }

    private ConsulException StatusError(ConsulRequest request, HttpStatusCode status, byte[] body)
    {
        // Consul 1.8 writes errors as plain text (err.Error()), never JSON.
        var text = Encoding.UTF8.GetString(body).Trim();
        if (text.Length > MaxErrorText)
        {
            text = text[..MaxErrorText] + "…";
        }

        var detail = text.Length == 0 ? "(no message)" : text;
        return new ConsulException(request.Method.Method, request.Path, status, text,
            $"Consul {request.Method} {request.Path} at {_baseAddress} answered {(int)status} {status}: {detail}");
    }
}
