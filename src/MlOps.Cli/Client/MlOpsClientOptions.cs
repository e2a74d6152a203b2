namespace MlOps.Cli.Client;

/// <summary>Settings for <see cref="MlOpsClient"/>.</summary>
public sealed record MlOpsClientOptions
{
    /// <summary>Coordinator address, e.g. <c>http://127.0.0.1:7070</c> or <c>https://coord-1:7070</c>; a bare
    /// <c>host:port</c> means http.</summary>
    public required string Address { get; init; }

    /// <summary>Sent as the <c>x-mlops-user</c> header on every call.</summary>
    public required string User { get; init; }

    /// <summary>Deadline of each unary call. Default 10 s.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long opening a TCP connection may take. Default 5 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The cluster CA (PEM, <c>ca.crt</c>): an <c>https://</c> coordinator is trusted when its certificate
    /// chains to it with serverAuth, and the machine's trust store plays no part. Null (default): the machine's trust
    /// store decides.</summary>
    public string? AuthorityFile { get; init; }

    /// <summary>A client certificate (PEM) to present over TLS, with <see cref="KeyFile"/>; null (default): none.</summary>
    public string? CertificateFile { get; init; }

    /// <summary>The private key of <see cref="CertificateFile"/> (PEM PKCS#8).</summary>
    public string? KeyFile { get; init; }

    /// <summary>An API token, sent on every call as <c>authorization: Bearer TOKEN</c>; null (default): none. Never
    /// printed: <see cref="ToString"/> leaves it out.</summary>
    public string? Token { get; init; }

    /// <summary>The settings without the token.</summary>
    public override string ToString() =>
        $"MlOpsClientOptions {{ Address = {Address}, User = {User}, AuthorityFile = {AuthorityFile}, CertificateFile = {CertificateFile}, Token = {(Token is null ? "none" : "(hidden)")} }}";
}
