using Grpc.AspNetCore.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MlOps.Serving.Protocol;
using MlOps.Serving.Protocol.Grpc;

namespace MlOps.Serving.Tests.Protocol;

public sealed class OpenInferenceOptionsTests
{
    [Fact]
    public void Defaults_Always_SixtyFourMebibytesAndValid()
    {
        var options = new OpenInferenceOptions();

        Assert.Equal(64 * 1024 * 1024, options.MaxMessageBytes);
        Assert.True(new OpenInferenceOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Validate_EverythingWrong_ListsEveryError()
    {
        var options = new OpenInferenceOptions { MaxMessageBytes = 10, ServerName = " ", ServerVersion = "" };

        var result = new OpenInferenceOptionsValidator().Validate(null, options);

        Assert.Equal(3, result.Failures!.Count());
        Assert.Contains(result.Failures!, f => f.StartsWith("MaxMessageBytes must be at least 1024", StringComparison.Ordinal));
    }

    [Fact]
    public void AddOpenInference_Configured_GrpcLimitsFollowMaxMessageBytes()
    {
        using var provider = new ServiceCollection().AddLogging().AddOpenInference(o => o.MaxMessageBytes = 5_000_000).BuildServiceProvider();

        var grpc = provider.GetRequiredService<IOptions<GrpcServiceOptions<InferenceGrpcService>>>().Value;

        Assert.Equal(5_000_000, grpc.MaxReceiveMessageSize);
        Assert.Equal(5_000_000, grpc.MaxSendMessageSize);
    }

    [Fact]
    public void AddOpenInference_InvalidOptions_FailsWhenResolved()
    {
        using var provider = new ServiceCollection().AddOpenInference(o => o.MaxMessageBytes = 0).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<OpenInferenceOptions>>().Value);

        Assert.Contains("MaxMessageBytes", error.Message, StringComparison.Ordinal);
    }
}
