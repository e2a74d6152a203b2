using MlOps.Cli.References;

namespace MlOps.Cli.Tests.References;

public sealed class RegistryReferenceTests
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Fact]
    public void Model_NameColonVersion_ReadsTheVersion()
    {
        var reference = RegistryReference.Model("fashion-mlp:3");

        Assert.Equal(new ModelReference("fashion-mlp", 3, ""), reference);
        Assert.False(reference.IsAlias);
        Assert.Equal("fashion-mlp:3", reference.ToString());
    }

    [Fact]
    public void Model_NameAtAlias_ReadsTheAlias()
    {
        var reference = RegistryReference.Model("fashion-mlp@production");

        Assert.Equal(new ModelReference("fashion-mlp", 0, "production"), reference);
        Assert.True(reference.IsAlias);
        Assert.Equal("fashion-mlp@production", reference.ToString());
    }

    [Theory]
    [InlineData("fashion-mlp", "expected NAME:VERSION or NAME@ALIAS")]
    [InlineData("fashion-mlp:", "invalid version ''")]
    [InlineData("fashion-mlp:0", "invalid version '0'")]
    [InlineData("fashion-mlp:03", "invalid version '03'")]
    [InlineData("fashion-mlp:-1", "invalid version '-1'")]
    [InlineData("fashion-mlp:1.5", "invalid version '1.5'")]
    [InlineData("fashion-mlp:99999999999", "invalid version '99999999999'")]
    [InlineData("fashion-mlp@", "invalid alias ''")]
    [InlineData("fashion-mlp@Prod", "invalid alias 'Prod'")]
    [InlineData("fashion-mlp@3", "for version 3 write fashion-mlp:3")]
    [InlineData("fashion-mlp@prod:3", "expected NAME:VERSION or NAME@ALIAS")]
    [InlineData("../x:1", "invalid model reference '../x:1'")]
    [InlineData("Fashion:1", "invalid model reference 'Fashion:1'")]
    [InlineData(":1", "invalid model reference ':1'")]
    [InlineData("", "expected NAME:VERSION or NAME@ALIAS")]
    public void Model_Malformed_IsUsageErrorSayingWhy(string text, string expected)
    {
        var error = Assert.Throws<CliException>(() => RegistryReference.Model(text));

        Assert.Equal(ExitCodes.Usage, error.ExitCode);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Model_BareNameWhereAllowed_IsTheNewestVersion()
    {
        var reference = RegistryReference.Model("fashion-mlp", allowNewest: true);

        Assert.Equal(new ModelReference("fashion-mlp", 0, ""), reference);
        Assert.True(reference.IsNewest);
        Assert.Equal("fashion-mlp", reference.ToString());
        Assert.Contains("expected NAME:VERSION, NAME@ALIAS or NAME",
            Assert.Throws<CliException>(() => RegistryReference.Model("../x", allowNewest: true)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fashion-mnist@1", "fashion-mnist", 1, "")]
    [InlineData("fashion-mnist@12", "fashion-mnist", 12, "")]
    [InlineData("fashion-mnist", "fashion-mnist", 0, "")]
    [InlineData("mnist_v2.small", "mnist_v2.small", 0, "")]
    [InlineData(Digest, "", 0, Digest)]
    public void Dataset_EveryForm_ParsesAndRoundTrips(string text, string name, int version, string digest)
    {
        var reference = RegistryReference.Dataset(text);

        Assert.Equal(new DatasetReference(name, version, digest), reference);
        Assert.Equal(text, reference.ToString());
    }

    [Theory]
    [InlineData("../x", "invalid dataset reference '../x'")]
    [InlineData("data/set", "invalid dataset reference 'data/set'")]
    [InlineData("fashion-mnist@", "invalid version ''")]
    [InlineData("fashion-mnist@latest", "invalid version 'latest'")]
    [InlineData("fashion-mnist@0", "invalid version '0'")]
    [InlineData("@1", "invalid dataset reference '@1'")]
    [InlineData("sha256:abc", "invalid dataset digest 'sha256:abc'")]
    [InlineData("sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", "invalid dataset digest")]
    [InlineData("", "invalid dataset reference ''")]
    public void Dataset_Malformed_IsUsageErrorSayingWhy(string text, string expected)
    {
        var error = Assert.Throws<CliException>(() => RegistryReference.Dataset(text));

        Assert.Equal(ExitCodes.Usage, error.ExitCode);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("0")]
    [InlineData("fashion-mnist")]
    [InlineData("a.b_c-d")]
    public void Name_Valid_IsReturned(string name)
    {
        Assert.Equal(name, RegistryReference.Name(name, "dataset"));
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("..")]
    [InlineData(".hidden")]
    [InlineData("-dash")]
    [InlineData("Upper")]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData("with space")]
    public void Name_Invalid_IsUsageErrorNamingIt(string name)
    {
        var error = Assert.Throws<CliException>(() => RegistryReference.Name(name, "dataset"));

        Assert.Equal(ExitCodes.Usage, error.ExitCode);
        Assert.StartsWith($"invalid dataset name '{name}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Name_SixtyFourCharacters_IsTooLong()
    {
        Assert.Equal(new string('a', 63), RegistryReference.Name(new string('a', 63), "model"));
        Assert.Throws<CliException>(() => RegistryReference.Name(new string('a', 64), "model"));
    }

    [Theory]
    [InlineData("production")]
    [InlineData("staging")]
    [InlineData("canary-2")]
    public void Alias_Valid_IsReturned(string alias)
    {
        Assert.Equal(alias, RegistryReference.Alias(alias));
    }

    [Theory]
    [InlineData("2")]
    [InlineData("2nd")]
    [InlineData("Prod")]
    [InlineData("")]
    public void Alias_NotStartingWithALowercaseLetter_IsUsageError(string alias)
    {
        Assert.Equal(ExitCodes.Usage, Assert.Throws<CliException>(() => RegistryReference.Alias(alias)).ExitCode);
    }
}
