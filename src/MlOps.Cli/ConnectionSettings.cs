namespace MlOps.Cli;

/// <summary>
/// How a command connects to the coordinator beyond its address: the cluster CA to trust (<c>--ca</c>), a client
/// certificate (<c>--cert</c>, <c>--key</c>) and the file holding the API token (<c>--token-file</c>). Each is null when
/// neither its option nor its environment variable is set. The token itself is read when a client is created
/// (<see cref="Client.ApiTokenSource"/>).
/// </summary>
internal sealed record ConnectionSettings(
    string? AuthorityFile = null, string? CertificateFile = null, string? KeyFile = null, string? TokenFile = null);
