using System.Net.Http.Headers;
using MlOps.Artifacts.Registry;

namespace MlOps.Artifacts.Tests.Registry;

public sealed class AuthChallengeTests
{
    [Fact]
    public void Parse_BearerWithSeveralScopes_ReadsRealmServiceAndEachScope()
    {
        var challenge = AuthChallenge.Parse(new AuthenticationHeaderValue("Bearer",
            "realm=\"https://auth.example/token\",service=\"registry.example\",scope=\"repository:a/b:pull,push repository:c:pull\""));

        Assert.True(challenge.IsBearer);
        Assert.Equal("https://auth.example/token", challenge.Realm);
        Assert.Equal("registry.example", challenge.Service);
        Assert.Equal(["repository:a/b:pull,push", "repository:c:pull"], challenge.Scopes);
    }

    [Fact]
    public void ParseParameters_QuotedCommaAndEscapedQuote_KeptInValue()
    {
        var parameters = AuthChallenge.ParseParameters("realm=\"a,b\", error=insufficient_scope, x=\"say \\\"hi\\\"\"");

        Assert.Equal("a,b", parameters["realm"]);
        Assert.Equal("insufficient_scope", parameters["error"]);
        Assert.Equal("say \"hi\"", parameters["x"]);
    }

    [Fact]
    public void Parse_Basic_IsBasicWithRealm()
    {
        var challenge = AuthChallenge.Parse(new AuthenticationHeaderValue("Basic", "realm=\"mlops\""));

        Assert.True(challenge.IsBasic);
        Assert.Equal("mlops", challenge.Realm);
        Assert.Empty(challenge.Scopes);
    }
}
