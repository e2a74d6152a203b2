using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Agent.Serving;
using MlOps.Contracts;
using MlOps.Serving.Authentication;

namespace MlOps.Agent.Tests.Serving;

/// <summary>The coordinator's <c>inference_credentials</c> snapshots becoming the token set the endpoints check.</summary>
public sealed class InferenceCredentialsReceiverTests
{
    private readonly InferenceCredentialSet _set = new();

    private InferenceCredentialsReceiver Receiver() => new(_set, NullLogger<InferenceCredentialsReceiver>.Instance);

    private static InferenceCredentials Snapshot(params string[] tokens)
    {
        var message = new InferenceCredentials();
        message.TokenSha256.AddRange(tokens.Select(t => ByteString.CopyFrom(InferenceCredentialSet.DigestOf(t))));
        return message;
    }

    [Fact]
    public void Apply_FirstSnapshot_ItsTokensValid()
    {
        Assert.Equal(TokenVerdict.NoSnapshot, _set.Check("a"));

        Receiver().Apply(Snapshot("a", "b"));

        Assert.Equal(TokenVerdict.Valid, _set.Check("a"));
        Assert.Equal(TokenVerdict.Valid, _set.Check("b"));
        Assert.Equal(TokenVerdict.Unknown, _set.Check("c"));
    }

    [Fact]
    public void Apply_NextSnapshot_ReplacesThePreviousOne()
    {
        var receiver = Receiver();
        receiver.Apply(Snapshot("a", "b"));

        receiver.Apply(Snapshot("b", "c"));

        Assert.Equal(TokenVerdict.Unknown, _set.Check("a"));
        Assert.Equal(TokenVerdict.Valid, _set.Check("b"));
        Assert.Equal(TokenVerdict.Valid, _set.Check("c"));
    }

    [Fact]
    public void Apply_DigestOfTheWrongLength_IgnoredTheRestApplied()
    {
        var message = Snapshot("a");
        message.TokenSha256.Add(ByteString.CopyFromUtf8("not a digest"));

        Receiver().Apply(message);

        Assert.Equal(1, _set.Count);
        Assert.Equal(TokenVerdict.Valid, _set.Check("a"));
    }
}
