using Grpc.Core;
using MlOps.Cli.Client;

namespace MlOps.Cli.Tests.Client;

public sealed class RpcErrorsTests
{
    [Theory]
    [InlineData(StatusCode.OK, 0)]
    [InlineData(StatusCode.Cancelled, 5)]
    [InlineData(StatusCode.Unknown, 5)]
    [InlineData(StatusCode.InvalidArgument, 2)]
    [InlineData(StatusCode.DeadlineExceeded, 4)]
    [InlineData(StatusCode.NotFound, 3)]
    [InlineData(StatusCode.AlreadyExists, 5)]
    [InlineData(StatusCode.PermissionDenied, 5)]
    [InlineData(StatusCode.ResourceExhausted, 5)]
    [InlineData(StatusCode.FailedPrecondition, 5)]
    [InlineData(StatusCode.Aborted, 5)]
    [InlineData(StatusCode.OutOfRange, 5)]
    [InlineData(StatusCode.Unimplemented, 5)]
    [InlineData(StatusCode.Internal, 5)]
    [InlineData(StatusCode.Unavailable, 4)]
    [InlineData(StatusCode.DataLoss, 5)]
    [InlineData(StatusCode.Unauthenticated, 5)]
    public void ExitCodeFor_EachStatus_MapsToTheDocumentedCode(StatusCode status, int expected)
    {
        Assert.Equal(expected, RpcErrors.ExitCodeFor(status));
        Assert.Equal(expected, RpcErrors.ToCliException(new RpcException(new Status(status, "detail")), "http://c:1").ExitCode);
    }

    [Fact]
    public void ExitCodeFor_EveryStatusCode_IsCovered()
    {
        Assert.All(Enum.GetValues<StatusCode>(), status => Assert.InRange(RpcErrors.ExitCodeFor(status), 0, 5));
    }

    [Fact]
    public void ToCliException_InvalidArgument_KeepsTheServersDetailVerbatim()
    {
        var ex = RpcErrors.ToCliException(new RpcException(new Status(StatusCode.InvalidArgument, "spec.name: is required")), "http://c:1");

        Assert.Equal("spec.name: is required", ex.Message);
        Assert.Equal(StatusCode.InvalidArgument, ex.Status);
        Assert.False(ex.IsTransient);
    }

    [Fact]
    public void ToCliException_Unavailable_NamesTheAddressAndIsTransient()
    {
        var ex = RpcErrors.ToCliException(new RpcException(new Status(StatusCode.Unavailable, "Error connecting to subchannel.", new IOException("Connection refused"))), "http://c:1");

        Assert.Equal("cannot reach the coordinator at http://c:1: Error connecting to subchannel: Connection refused (is it running? 'mlops up' starts one on this machine)", ex.Message);
        Assert.True(ex.IsTransient);
    }

    [Fact]
    public void ToCliException_OtherStatus_AppendsTheStatusName()
    {
        var ex = RpcErrors.ToCliException(new RpcException(new Status(StatusCode.FailedPrecondition, "job is finished")), "http://c:1");

        Assert.Equal("job is finished (FAILED_PRECONDITION)", ex.Message);
    }
}
