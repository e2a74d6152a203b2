using Grpc.Core;
using MlOps.Artifacts;
using MlOps.Cli.Client;

namespace MlOps.Cli.Tests.Client;

public sealed class ArtifactErrorsTests
{
    [Theory]
    [InlineData(StatusCode.NotFound, ExitCodes.NotFound)]
    [InlineData(StatusCode.InvalidArgument, ExitCodes.Usage)]
    [InlineData(StatusCode.Unavailable, ExitCodes.Unreachable)]
    [InlineData(StatusCode.DataLoss, ExitCodes.Error)]
    [InlineData(StatusCode.FailedPrecondition, ExitCodes.Error)]
    public void ToCliException_FromACoordinatorCall_UsesTheGrpcStatus(StatusCode status, int exitCode)
    {
        var rpc = new RpcException(new Status(status, "blob gone"));

        var mapped = ArtifactErrors.ToCliException(new ArtifactStoreUnavailableException("wrapped", rpc), "http://c:1");

        Assert.Equal(exitCode, mapped.ExitCode);
        Assert.Equal(status, mapped.Status);
        Assert.Contains("blob gone", mapped.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToCliException_LocalErrors_MapByType()
    {
        Assert.Equal(ExitCodes.NotFound, ArtifactErrors.ToCliException(new ArtifactNotFoundException("x"), "a").ExitCode);
        Assert.Equal(ExitCodes.Unreachable, ArtifactErrors.ToCliException(new ArtifactStoreUnavailableException("x"), "a").ExitCode);
        var corrupt = ArtifactErrors.ToCliException(new ArtifactCorruptException("models/m@sha256:1: received bytes hash to sha256:2"), "a");
        Assert.Equal(ExitCodes.Error, corrupt.ExitCode);
        Assert.StartsWith("corrupt artifact: models/m@sha256:1", corrupt.Message, StringComparison.Ordinal);
    }
}
