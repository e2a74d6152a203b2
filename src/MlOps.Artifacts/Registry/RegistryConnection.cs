using System.Net;
using System.Net.Sockets;

namespace MlOps.Artifacts.Registry;

/// <summary>
/// The HTTP side of the registry client: URLs under <c>/v2/</c>, authentication (one retry after a 401 challenge),
/// and translation of transport failures (refused connection, DNS, timeout) into
/// <see cref="ArtifactStoreUnavailableException"/> naming the registry.
/// </summary>
internal sealed class RegistryConnection : IDisposable
{
    private readonly HttpClient _http;

    public RegistryConnection(RegistryClientOptions options, TimeProvider time)
    {
        BaseUri = options.BaseUri;
        RequestTimeout = options.RequestTimeout;
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = options.ConnectTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AllowAutoRedirect = true,
        };
        _http = new HttpClient(options.WrapHandler?.Invoke(handler) ?? handler) { Timeout = options.RequestTimeout };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("mlops-artifacts/1.0");
        Auth = new RegistryAuthenticator(_http, BaseUri, options.Username, options.Password, time);
    }

    public Uri BaseUri { get; }

    public TimeSpan RequestTimeout { get; }

    public RegistryAuthenticator Auth { get; }

    public Uri Url(string pathUnderV2) => new(BaseUri, "v2/" + pathUnderV2);

    /// <summary>Sends a request built by <paramref name="create"/> (called again for the retry after a challenge) and
    /// returns the response whatever its status; a 401 is returned only when new credentials cannot help.</summary>
    public async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> create, IReadOnlyList<string> scopes, string what,
        CancellationToken cancellationToken, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var request = create();
            request.Headers.Authorization = await Guard(() => Auth.HeaderForAsync(scopes, cancellationToken).AsTask(), what, cancellationToken);
            var response = await Guard(() => _http.SendAsync(request, completion, cancellationToken), what, cancellationToken);
            if (response.StatusCode != HttpStatusCode.Unauthorized || attempt > 0)
            {
                return response;
            }

            var challenge = AuthChallenge.From(response);
            var retry = await Guard(
                () => Auth.AcceptChallengeAsync(challenge, scopes, request.Headers.Authorization is not null, cancellationToken), what, cancellationToken);
            if (!retry)
            {
                return response;
            }

            response.Dispose();
        }
    }

    /// <summary>The exception for a failure answer, with the registry's error body in the message.</summary>
    public async Task<ArtifactException> FailureAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        using (response)
        {
            var body = string.Empty;
            try
            {
                body = await response.Content.ReadAsStringAsync(cancellationToken);
            }
            catch (HttpRequestException)
            {
            }

            return RegistryErrors.ToException(response.StatusCode, body, what, BaseUri, Auth);
        }
    }

    /// <summary>Maps a transport failure to <see cref="ArtifactStoreUnavailableException"/>; null for anything else.</summary>
    public Exception? Translate(Exception e, string what, CancellationToken cancellationToken) => e switch
    {
        HttpRequestException { InnerException: SocketException socket } =>
            new ArtifactStoreUnavailableException($"{what}: registry {BaseUri} is unreachable ({socket.SocketErrorCode}: {socket.Message})", e),
        HttpRequestException or HttpIOException or IOException =>
            new ArtifactStoreUnavailableException($"{what}: registry {BaseUri} is unreachable or broke the connection: {e.Message}", e),
        TaskCanceledException when !cancellationToken.IsCancellationRequested =>
            new ArtifactStoreUnavailableException($"{what}: registry {BaseUri} did not answer within {RequestTimeout.TotalSeconds:0} s", e),
        _ => null,
    };

    private async Task<T> Guard<T>(Func<Task<T>> call, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is not ArtifactException && Translate(e, what, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    public void Dispose() => _http.Dispose();
}
