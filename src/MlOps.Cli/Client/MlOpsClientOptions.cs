namespace MlOps.Cli.Client;

/// <summary>Settings for <see cref="MlOpsClient"/>.</summary>
public sealed record MlOpsClientOptions
{
    /// <summary>Coordinator address, e.g. <c>http://127.0.0.1:7070</c>; a bare <c>host:port</c> means http.</summary>
    public required string Address { get; init; }

    /// <summary>Sent as the <c>x-mlops-user</c> header on every call.</summary>
    public required string User { get; init; }

    /// <summary>Deadline of each unary call. Default 10 s.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long opening a TCP connection may take. Default 5 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
