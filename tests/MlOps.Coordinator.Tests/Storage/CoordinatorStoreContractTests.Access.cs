using Google.Protobuf.WellKnownTypes;
using MlOps.Contracts;
using MlOps.Coordinator.Storage;

namespace MlOps.Coordinator.Tests.Storage;

/// <summary>The access part of the contract: tokens found by their secret's hash, the first-token guard, and the
/// audit log appended in sequence and read newest first with filters and pages.</summary>
public abstract partial class CoordinatorStoreContractTests
{
    [StoreFact]
    public async Task CreateTokenAsync_ThenFindByHashListAndRevoke_KeepsTheHashAndTheRecord()
    {
        using var store = await OpenAsync();
        var access = (IAccessStore)store;
        var alice = StoredToken("tok_000000000001", "alice", "ml-engineer", hashByte: 1, minutes: 1);
        var bob = StoredToken("tok_000000000002", "bob", "viewer", hashByte: 2, minutes: 2);

        Assert.True(await access.CreateTokenAsync(alice, None));
        Assert.True(await access.CreateTokenAsync(bob, None));
        Assert.False(await access.CreateTokenAsync(StoredToken("tok_000000000003", "eve", "admin", hashByte: 1, minutes: 3), None));
        Assert.False(await access.CreateTokenAsync(StoredToken("tok_000000000001", "eve", "admin", hashByte: 9, minutes: 3), None));

        var found = await access.FindTokenByHashAsync(Hash(2), None);
        Assert.NotNull(found);
        Assert.Equal(bob.Token, found.Token);
        Assert.Equal(Hash(2), found.SecretHash);
        Assert.Null(await access.FindTokenByHashAsync(Hash(7), None));
        Assert.Equal(["alice", "bob"], (await access.ListTokensAsync(None)).Select(t => t.Token.Name));

        var revoked = alice.Token.Clone();
        revoked.RevokedAt = Timestamp.FromDateTimeOffset(At(5));
        revoked.RevokedBy = "root";
        Assert.True(await access.UpdateTokenAsync(revoked, None));
        Assert.Equal(revoked, (await access.FindTokenByHashAsync(Hash(1), None))!.Token);
        Assert.False(await access.UpdateTokenAsync(new ApiToken { Id = "tok_ffffffffffff" }, None));
    }

    [StoreFact]
    public async Task CreateFirstTokenAsync_OnlyWhileTheStoreHasNoToken()
    {
        using var store = await OpenAsync();
        var access = (IAccessStore)store;

        Assert.True(await access.CreateFirstTokenAsync(StoredToken("tok_00000000000a", "admin", "admin", hashByte: 10, minutes: 1), None));
        Assert.False(await access.CreateFirstTokenAsync(StoredToken("tok_00000000000b", "admin", "admin", hashByte: 11, minutes: 2), None));

        Assert.Equal(["tok_00000000000a"], (await access.ListTokensAsync(None)).Select(t => t.Token.Id));
    }

    [StoreFact]
    public async Task AppendAuditAsync_SequencesAndFilters_NewestFirstInPages()
    {
        using var store = await OpenAsync();
        var access = (IAccessStore)store;
        var first = await access.AppendAuditAsync(Audit("alice", "/mlops.v1.JobService/SubmitJob", minutes: 1), None);
        var second = await access.AppendAuditAsync(Audit("bob", "/mlops.v1.DeploymentService/Deploy", minutes: 2), None);
        var third = await access.AppendAuditAsync(Audit("alice", "/mlops.v1.DeploymentService/Rollback", minutes: 3), None);
        Assert.True(first < second && second < third);

        var all = await access.ListAuditAsync(new AuditQuery(null, null, null, null, 10), None);
        Assert.Equal([third, second, first], all.Select(r => r.Sequence));
        Assert.Equal("bob", all[1].Principal);
        Assert.Equal("OK", all[1].Outcome);

        Assert.Equal([third, first], (await access.ListAuditAsync(new AuditQuery("alice", null, null, null, 10), None)).Select(r => r.Sequence));
        Assert.Equal([third, second], (await access.ListAuditAsync(new AuditQuery(null, "deploymentservice", null, null, 10), None)).Select(r => r.Sequence));
        Assert.Equal([third, second], (await access.ListAuditAsync(new AuditQuery(null, null, At(2), null, 10), None)).Select(r => r.Sequence));
        Assert.Equal([second], (await access.ListAuditAsync(new AuditQuery(null, null, null, third, 1), None)).Select(r => r.Sequence));
    }

    private static DateTimeOffset At(int minutes) => new(2026, 11, 27, 12, minutes, 0, TimeSpan.Zero);

    private static byte[] Hash(byte value) => [.. Enumerable.Repeat(value, 32)];

    private static StoredToken StoredToken(string id, string name, string role, byte hashByte, int minutes) => new(
        new ApiToken { Id = id, Name = name, Role = role, CreatedBy = "root", CreatedAt = Timestamp.FromDateTimeOffset(At(minutes)) },
        Hash(hashByte));

    private static AuditRecord Audit(string principal, string method, int minutes) => new()
    {
        At = Timestamp.FromDateTimeOffset(At(minutes)),
        Principal = principal,
        Role = "admin",
        Method = method,
        Outcome = "OK",
        Target = "name=x",
    };
}
