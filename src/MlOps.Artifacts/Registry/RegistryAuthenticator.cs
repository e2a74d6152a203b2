using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace MlOps.Artifacts.Registry;

/// <summary>
/// Answers a registry's <c>WWW-Authenticate</c> challenges. Basic: the configured username and password on every
/// later request. Bearer: a token from the challenge's realm (asked with <c>service</c> and <c>scope</c>, the
/// credentials sent as Basic when there are any), cached per scope set until shortly before it expires. Once a
/// scheme is known, later requests carry credentials from the start, so a request body is rarely sent twice.
/// </summary>
internal sealed class RegistryAuthenticator(HttpClient http, Uri registry, string? username, string? password, TimeProvider time)
{
    private const int DefaultTokenSeconds = 60;

    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset RenewAt)> _tokens = new(StringComparer.Ordinal);
    private volatile AuthChallenge? _bearer;
    private volatile bool _basic;

    public string? Username => username;

    /// <summary>The Authorization header for a request needing <paramref name="scopes"/>, or null before any challenge.</summary>
    public async ValueTask<AuthenticationHeaderValue?> HeaderForAsync(IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        if (_basic)
        {
            return BasicHeader();
        }

        if (_bearer is { } challenge)
        {
            var key = Key(scopes);
            var token = _tokens.TryGetValue(key, out var cached) && cached.RenewAt > time.GetUtcNow()
                ? cached.Token
                : await FetchTokenAsync(challenge, scopes, key, cancellationToken);
            return new AuthenticationHeaderValue("Bearer", token);
        }

        return null;
    }

    /// <summary>Learns from a 401; true when retrying the request with new credentials can succeed.</summary>
    public async Task<bool> AcceptChallengeAsync(AuthChallenge? challenge, IReadOnlyList<string> scopes, bool sentAuthorization,
        CancellationToken cancellationToken)
    {
        if (challenge is { IsBasic: true })
        {
            if (username is null || (_basic && sentAuthorization))
            {
                return false;
            }

            _basic = true;
            return true;
        }

        if (challenge is { IsBearer: true, Realm: not null })
        {
            _bearer = challenge;
            var key = Key(scopes);
            _tokens.TryRemove(key, out _);
            await FetchTokenAsync(challenge, scopes.Union(challenge.Scopes, StringComparer.Ordinal).ToList(), key, cancellationToken);
            return true;
        }

        return false;
    }

    private async Task<string> FetchTokenAsync(AuthChallenge challenge, IReadOnlyList<string> scopes, string key, CancellationToken cancellationToken)
    {
        var realm = TokenRealm(challenge);
        var query = new StringBuilder();
        if (challenge.Service is { } service)
        {
            query.Append("service=").Append(Uri.EscapeDataString(service));
        }

        foreach (var scope in scopes.Distinct(StringComparer.Ordinal))
        {
            query.Append(query.Length > 0 ? "&" : string.Empty).Append("scope=").Append(Uri.EscapeDataString(scope));
        }

        var url = new UriBuilder(realm) { Query = string.IsNullOrEmpty(realm.Query) ? query.ToString() : realm.Query[1..] + "&" + query }.Uri;
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (username is not null)
        {
            request.Headers.Authorization = BasicHeader();
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new ArtifactStoreUnavailableException($"token service {realm} (for registry {registry}) is unreachable: {e.Message}", e);
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw new ArtifactAuthenticationException(
                    $"token service {realm} (for registry {registry}) refused {Who()}: {(int)response.StatusCode} {RegistryErrors.Summarize(body)}");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new ArtifactStoreUnavailableException(
                    $"token service {realm} (for registry {registry}) answered {(int)response.StatusCode}: {RegistryErrors.Summarize(body)}");
            }

            var (token, lifetime) = ParseToken(body, realm);
            _tokens[key] = (token, time.GetUtcNow() + (lifetime * 0.9));
            return token;
        }
    }

    private Uri TokenRealm(AuthChallenge challenge)
    {
        if (!Uri.TryCreate(challenge.Realm, UriKind.Absolute, out var realm) || (realm.Scheme != Uri.UriSchemeHttp && realm.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArtifactAuthenticationException($"registry {registry} asked for a token from '{challenge.Realm}', which is not an http(s) URL");
        }

        // Never send credentials in clear text because an https registry pointed at an http realm.
        return registry.Scheme == Uri.UriSchemeHttps && realm.Scheme != Uri.UriSchemeHttps
            ? throw new ArtifactAuthenticationException($"registry {registry} asked for a token from {realm} over plain http; refused")
            : realm;
    }

    private static (string Token, TimeSpan Lifetime) ParseToken(string body, Uri realm)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var token = (root.TryGetProperty("token", out var t) ? t.GetString() : null)
                        ?? (root.TryGetProperty("access_token", out var a) ? a.GetString() : null);
            var seconds = root.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var s) && s > 0 ? s : DefaultTokenSeconds;
            return string.IsNullOrEmpty(token)
                ? throw new ArtifactAuthenticationException($"token service {realm} answered without a token")
                : (token, TimeSpan.FromSeconds(seconds));
        }
        catch (JsonException e)
        {
            throw new ArtifactAuthenticationException($"token service {realm} answered with something that is not JSON: {e.Message}", e);
        }
    }

    private AuthenticationHeaderValue BasicHeader() =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));

    internal string Who() => username is null ? "anonymous access (no credentials are configured)" : $"the credentials of user '{username}'";

    private static string Key(IReadOnlyList<string> scopes) => string.Join(' ', scopes.Order(StringComparer.Ordinal));
}
