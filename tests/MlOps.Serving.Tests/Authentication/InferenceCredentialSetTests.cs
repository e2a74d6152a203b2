using MlOps.Serving.Authentication;

namespace MlOps.Serving.Tests.Authentication;

public sealed class InferenceCredentialSetTests
{
    private static ReadOnlyMemory<byte> Digest(string token) => InferenceCredentialSet.DigestOf(token);

    [Fact]
    public void Check_BeforeAnySnapshot_NoTokenIsValid()
    {
        var set = new InferenceCredentialSet();

        Assert.False(set.HasSnapshot);
        Assert.Equal(TokenVerdict.NoSnapshot, set.Check("tok_0123456789ab.secret"));
        Assert.Equal(TokenVerdict.NoSnapshot, set.Check(""));
    }

    [Fact]
    public void Check_TokenInSnapshot_ValidOthersUnknown()
    {
        var set = new InferenceCredentialSet();

        set.Replace([Digest("alpha"), Digest("beta")]);

        Assert.True(set.HasSnapshot);
        Assert.Equal(2, set.Count);
        Assert.Equal(TokenVerdict.Valid, set.Check("alpha"));
        Assert.Equal(TokenVerdict.Valid, set.Check("beta"));
        Assert.Equal(TokenVerdict.Unknown, set.Check("gamma"));
        Assert.Equal(TokenVerdict.Unknown, set.Check("Alpha"));
        Assert.Equal(TokenVerdict.Unknown, set.Check(""));
    }

    [Fact]
    public void Replace_NewSnapshot_ReplacesTheWholeSet()
    {
        var set = new InferenceCredentialSet();
        set.Replace([Digest("old")]);

        set.Replace([Digest("new")]);

        Assert.Equal(TokenVerdict.Unknown, set.Check("old"));
        Assert.Equal(TokenVerdict.Valid, set.Check("new"));
    }

    [Fact]
    public void Replace_EmptySnapshot_EveryTokenUnknownButASnapshotArrived()
    {
        var set = new InferenceCredentialSet();
        set.Replace([Digest("old")]);

        set.Replace([]);

        Assert.True(set.HasSnapshot);
        Assert.Equal(TokenVerdict.Unknown, set.Check("old"));
    }

    [Fact]
    public void Replace_DigestsOfTheWrongLength_LeftOutAndCounted()
    {
        var set = new InferenceCredentialSet();

        var skipped = set.Replace([Digest("good"), new byte[31], new byte[33], ReadOnlyMemory<byte>.Empty]);

        Assert.Equal(3, skipped);
        Assert.Equal(1, set.Count);
        Assert.Equal(TokenVerdict.Valid, set.Check("good"));
    }

    [Fact]
    public void Check_NonAsciiAndLongTokens_HashedAsUtf8()
    {
        var set = new InferenceCredentialSet();
        var unicode = "töken-✓";
        var long1000 = new string('x', 1000);
        set.Replace([Digest(unicode), Digest(long1000)]);

        Assert.Equal(TokenVerdict.Valid, set.Check(unicode));
        Assert.Equal(TokenVerdict.Valid, set.Check(long1000));
        Assert.Equal(TokenVerdict.Unknown, set.Check(new string('x', InferenceCredentialSet.MaxTokenLength + 1)));
    }

    [Fact]
    public void DigestOf_Token_IsSha256OfUtf8()
    {
        var digest = InferenceCredentialSet.DigestOf("abc");

        Assert.Equal("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", Convert.ToHexString(digest));
    }

    [Theory]
    [InlineData(null, InferenceAuthMode.None)]
    [InlineData("", InferenceAuthMode.None)]
    [InlineData("none", InferenceAuthMode.None)]
    [InlineData("Token", InferenceAuthMode.Token)]
    [InlineData(" mtls ", InferenceAuthMode.Mtls)]
    [InlineData("token-or-mtls", InferenceAuthMode.TokenOrMtls)]
    public void TryParse_KnownNames_Parsed(string? text, InferenceAuthMode expected)
    {
        Assert.True(InferenceAuthModes.TryParse(text, out var mode));
        Assert.Equal(expected, mode);
    }

    [Theory]
    [InlineData("tls")]
    [InlineData("token_or_mtls")]
    public void TryParse_UnknownName_False(string text) => Assert.False(InferenceAuthModes.TryParse(text, out _));
}
