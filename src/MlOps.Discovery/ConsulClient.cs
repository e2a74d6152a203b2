using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Discovery.Http;

namespace MlOps.Discovery;

/// <summary>
/// Consul's HTTP API over one long-lived <see cref="HttpClient"/> (one per process: a client per call exhausts
/// sockets). Endpoints live in the partial files beside this one, grouped as Consul groups them.
/// </summary>
public sealed partial class ConsulClient : IConsulClient, IDisposable
{
    private readonly ConsulTransport _transport;
    private readonly ILogger _logger;
    private readonly HttpClient? _ownedHttp;

    /// <summary>A client with its own HttpClient (no overall timeout: each attempt gets its own).</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">Invalid options, every error listed.</exception>
    public ConsulClient(ConsulOptions options, TimeProvider? timeProvider = null, ILogger<ConsulClient>? logger = null)
        : this(CreateHttpClient(), options, timeProvider, logger, ownsHttp: true)
    {
    }

    /// <summary>A client over <paramref name="http"/>, which the caller owns. Its Timeout must be infinite or longer
    /// than any blocking wait used, or blocking queries fail fast with <see cref="InvalidOperationException"/>.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">Invalid options, every error listed.</exception>
    public ConsulClient(HttpClient http, ConsulOptions options, TimeProvider? timeProvider = null, ILogger<ConsulClient>? logger = null)
        : this(http, options, timeProvider, logger, ownsHttp: false)
    {
    }

    private ConsulClient(HttpClient http, ConsulOptions options, TimeProvider? timeProvider, ILogger? logger, bool ownsHttp)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            ConsulOptionsValidator.ThrowIfInvalid(options);
        }
        catch when (ownsHttp)
        {
            http.Dispose();
            throw;
        }

        _logger = logger ?? NullLogger.Instance;
        _transport = new ConsulTransport(http, options, timeProvider ?? TimeProvider.System, _logger);
        _ownedHttp = ownsHttp ? http : null;
        Options = options;
    }

    public ConsulOptions Options { get; }

    /// <inheritdoc />
    public async Task<string> GetLeaderAsync(CancellationToken cancellationToken = default)
    {
        var answer = await _transport.SendAsync(new ConsulRequest(HttpMethod.Get, "/v1/status/leader"), cancellationToken);
        return Deserialize(answer.Body, ConsulJsonContext.Default.String) ?? "";
    }

    public void Dispose() => _ownedHttp?.Dispose();

    private static HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        // A fresh connection now and then picks up a changed DNS answer for the agent's name.
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(5),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private static T? Deserialize<T>(byte[] body, JsonTypeInfo<T> type)
    {
        try
        {
            return body.Length == 0 ? default : JsonSerializer.Deserialize(body, type);
        }
        catch (JsonException e)
        {
            throw new ConsulException($"Consul answered JSON that does not fit {typeof(T).Name}: {e.Message}", e);
        }
    }

    private static byte[] Serialize<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.SerializeToUtf8Bytes(value, type);

    /// <summary>One path segment escaped (service ids, check ids, session ids).</summary>
    private static string Segment(string value, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value, name);
        return Uri.EscapeDataString(value);
    }

    private static ConsulResponse<T> Response<T>(ConsulAnswer answer, T value, ulong sentIndex, string path, ILogger logger)
    {
        var index = BlockingIndex.Next(sentIndex, answer.Index, out var reset);
        if (reset)
        {
            logger.IndexReset(path, sentIndex, answer.Index);
        }

        return new ConsulResponse<T>(value, index, answer.KnownLeader, answer.LastContact) { IndexReset = reset };
    }
}
