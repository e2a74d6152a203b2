using MlOps.Contracts;
using MlOps.Coordinator.Access;

namespace MlOps.Coordinator.Tests.Access;

public sealed class AuditTargetsTests
{
    [Fact]
    public void Describe_NamesTheIdentifyingFieldsAndTheAnsweredId()
    {
        var request = new SubmitJobRequest { Spec = new JobSpec { Name = "fashion", Owner = "alice", Seed = 7 } };
        var response = new SubmitJobResponse { Job = new Job { Id = "j-1" } };

        Assert.Equal("spec.name=fashion spec.owner=alice → job.id=j-1", AuditTargets.Describe(request, response));
    }

    [Fact]
    public void Describe_LeavesOutSecretsAndBytes()
    {
        var response = new CreateTokenResponse { Token = new ApiToken { Id = "tok_1", Name = "bob" }, Secret = "mlops_tok_1_SECRET" };
        var chunk = new BlobChunk { Data = Google.Protobuf.ByteString.CopyFromUtf8("payload") };

        var described = AuditTargets.Describe(new CreateTokenRequest { Name = "bob", Role = "viewer" }, response);

        Assert.Equal("name=bob role=viewer", described);
        Assert.DoesNotContain("SECRET", described, StringComparison.Ordinal);
        Assert.DoesNotContain("payload", AuditTargets.Describe(chunk, null), StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_LongValues_AreClipped()
    {
        var described = AuditTargets.Describe(new CancelJobRequest { JobId = new string('x', 1000) }, null);

        Assert.True(described.Length <= AuditTargets.MaxLength, described);
        Assert.StartsWith("job_id=xxx", described, StringComparison.Ordinal);
    }
}
