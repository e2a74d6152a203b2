using MlOps.Testing;

namespace MlOps.Artifacts.Tests.Infrastructure;

/// <summary>A registry with <c>auth: htpasswd:</c> (bcrypt) for user <see cref="User"/>.</summary>
public sealed class BasicAuthRegistryFixture : IAsyncLifetime
{
    public const string User = "trainer";
    public const string Password = "s3cret-pass";

    private readonly TempDirectory _directory = new("mlops-htpasswd");
    private RegistryServer? _server;

    public RegistryServer Server => _server ?? throw new InvalidOperationException("the registry has not started");

    public async Task InitializeAsync()
    {
        var file = await Htpasswd.WriteAsync(_directory.Combine("htpasswd"), User, Password);
        _server = await RegistryServer.StartAsync(Htpasswd.AuthSection(file));
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _directory.Dispose();
    }
}

/// <summary>A registry with <c>auth: token:</c> trusting the certificate of a <see cref="TokenServer"/> run beside it.</summary>
public sealed class TokenAuthRegistryFixture : IAsyncLifetime
{
    public const string User = "ci";
    public const string Password = "token-pass";

    private readonly TempDirectory _directory = new("mlops-token");
    private RegistryServer? _server;
    private TokenServer? _tokens;

    public RegistryServer Server => _server ?? throw new InvalidOperationException("the registry has not started");

    public TokenServer Tokens => _tokens ?? throw new InvalidOperationException("the token service has not started");

    public async Task InitializeAsync()
    {
        _tokens = new TokenServer(User, Password, _directory.Combine("token-cert.pem"));
        _server = await RegistryServer.StartAsync(_tokens.AuthSection());
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_tokens is not null)
        {
            await _tokens.DisposeAsync();
        }

        _directory.Dispose();
    }
}
