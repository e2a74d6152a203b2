using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MlOps.Testing;

namespace MlOps.Artifacts.Tests.Infrastructure;

/// <summary>
/// A minimal Docker token service on loopback (HttpListener) for a real registry configured with <c>auth: token:</c>.
/// It checks Basic credentials, grants every scope asked for, and signs an ES256 JWT whose <c>x5c</c> header carries a
/// self-signed certificate; the registry trusts that certificate through <c>rootcertbundle</c>.
/// </summary>
public sealed class TokenServer : IAsyncDisposable
{
    public const string Service = "mlops-test-registry";
    public const string Issuer = "mlops-test-issuer";

    private readonly HttpListener _listener = new();
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 _certificate;
    private readonly string _user;
    private readonly string _password;
    private readonly Task _loop;

    public TokenServer(string user, string password, string certificatePath)
    {
        _user = user;
        _password = password;
        var request = new CertificateRequest("CN=mlops test token issuer", _key, HashAlgorithmName.SHA256);
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(certificatePath, _certificate.ExportCertificatePem() + "\n");
        CertificatePath = certificatePath;
        var port = FreePort.Next();
        Realm = $"http://127.0.0.1:{port}/token";
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string Realm { get; }

    public string CertificatePath { get; }

    /// <summary>Every scope set a token was issued for, in order (to check the client caches tokens).</summary>
    public ConcurrentQueue<string> Issued { get; } = new();

    public int Refused => _refused;

    private int _refused;

    /// <summary>The registry's <c>auth:</c> section pointing at this service.</summary>
    public string AuthSection() =>
        $"  token:\n    realm: {Realm}\n    service: {Service}\n    issuer: {Issuer}\n    rootcertbundle: {CertificatePath}\n";

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var response = context.Response;
            if (!Authorized(context.Request.Headers["Authorization"]))
            {
                Interlocked.Increment(ref _refused);
                response.StatusCode = 401;
                await Write(response, """{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}""");
                continue;
            }

            var scopes = context.Request.QueryString.GetValues("scope") ?? [];
            Issued.Enqueue(string.Join(' ', scopes));
            await Write(response, JsonSerializer.Serialize(new { token = Sign(scopes), expires_in = 300 }));
        }
    }

    private bool Authorized(string? header)
    {
        if (header is null || !header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            return false;
        }

        var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..]));
        return pair == $"{_user}:{_password}";
    }

    private string Sign(string[] scopes)
    {
        var access = new JsonArray();
        foreach (var scope in scopes)
        {
            // repository:<name>:<actions>, the name itself possibly containing ':' only for registry hosts (not here).
            var parts = scope.Split(':');
            access.Add(new JsonObject
            {
                ["type"] = parts[0],
                ["name"] = parts[1],
                ["actions"] = new JsonArray(parts[2].Split(',').Select(a => (JsonNode?)JsonValue.Create(a)).ToArray()),
            });
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new JsonObject { ["typ"] = "JWT", ["alg"] = "ES256", ["x5c"] = new JsonArray(Convert.ToBase64String(_certificate.RawData)) };
        var claims = new JsonObject
        {
            ["iss"] = Issuer, ["sub"] = _user, ["aud"] = Service, ["exp"] = now + 300, ["nbf"] = now - 10, ["iat"] = now,
            ["jti"] = Guid.NewGuid().ToString("n"), ["access"] = access,
        };
        var signingInput = Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static async Task Write(HttpListenerResponse response, string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        response.ContentType = "application/json";
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
        _certificate.Dispose();
        _key.Dispose();
    }
}
