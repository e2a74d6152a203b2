using MlOps.Coordinator.Access;

namespace MlOps.Coordinator.Tests.Access;

public sealed class TokenSecretsTests
{
    [Fact]
    public void Generate_SecretEmbedsTheIdAndIsUnique()
    {
        var (id, secret) = TokenSecrets.Generate();
        var (otherId, otherSecret) = TokenSecrets.Generate();

        Assert.Matches("^tok_[0-9a-f]{12}$", id);
        Assert.Matches("^mlops_tok_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$", secret);
        Assert.Equal(id, TokenSecrets.IdOf(secret));
        Assert.NotEqual(id, otherId);
        Assert.NotEqual(secret, otherSecret);
        Assert.Equal(32, TokenSecrets.Hash(secret).Length);
        Assert.NotEqual(TokenSecrets.Hash(secret), TokenSecrets.Hash(otherSecret));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Bearer x")]
    [InlineData("mlops_tok_XYZ")]
    [InlineData("mlops_tok_0123456789ab")]
    [InlineData("mlops_tok_0123456789AB_secret")]
    public void IdOf_NotAToken_IsNull(string text) => Assert.Null(TokenSecrets.IdOf(text));
}
