using Grpc.Core;
using MlOps.Contracts;

namespace MlOps.Client.Tests.Rpc;

public class GrpcStatusNamesTests
{
    [Theory]
    [InlineData(StatusCode.ResourceExhausted, "RESOURCE_EXHAUSTED")]
    [InlineData(StatusCode.DeadlineExceeded, "DEADLINE_EXCEEDED")]
    [InlineData(StatusCode.Unavailable, "UNAVAILABLE")]
    [InlineData(StatusCode.Unauthenticated, "UNAUTHENTICATED")]
    public void Of_Code_CanonicalName(StatusCode code, string name) => Assert.Equal(name, GrpcStatusNames.Of(code));

    [Fact]
    public void Of_EveryCode_UpperSnakeConstant()
    {
        foreach (var code in Enum.GetValues<StatusCode>())
        {
            var name = GrpcStatusNames.Of(code);

            Assert.Equal(name.ToUpperInvariant(), name);
            Assert.Equal(code.ToString().ToUpperInvariant(), name.Replace("_", string.Empty));
            Assert.Same(name, GrpcStatusNames.Of(code));
        }
    }
}
