using MlOps.Contracts;

namespace MlOps.Cli.Client;

/// <summary>AccessService: API tokens, who the caller is, and the audit log (access.proto; docs/security.md).</summary>
public sealed partial class MlOpsClient
{
    private AccessService.AccessServiceClient Access => new(_channel);

    public Task<CreateTokenResponse> CreateTokenAsync(CreateTokenRequest request, CancellationToken cancellationToken) =>
        CallAsync(o => Access.CreateTokenAsync(request, o).ResponseAsync, cancellationToken);

    public async Task<IReadOnlyList<ApiToken>> ListTokensAsync(bool includeRevoked, CancellationToken cancellationToken) =>
        (await CallAsync(o => Access.ListTokensAsync(new ListTokensRequest { IncludeRevoked = includeRevoked }, o).ResponseAsync, cancellationToken)).Tokens;

    public Task<ApiToken> RevokeTokenAsync(string id, CancellationToken cancellationToken) =>
        CallAsync(o => Access.RevokeTokenAsync(new RevokeTokenRequest { Id = id }, o).ResponseAsync, cancellationToken);

    public Task<WhoAmIResponse> WhoAmIAsync(CancellationToken cancellationToken) =>
        CallAsync(o => Access.WhoAmIAsync(new WhoAmIRequest(), o).ResponseAsync, cancellationToken);

    public Task<ListAuditResponse> ListAuditAsync(ListAuditRequest request, CancellationToken cancellationToken) =>
        CallAsync(o => Access.ListAuditAsync(request, o).ResponseAsync, cancellationToken);
}
