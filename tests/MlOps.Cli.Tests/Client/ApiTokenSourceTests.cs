using MlOps.Cli.Client;
using MlOps.Testing;

namespace MlOps.Cli.Tests.Client;

public sealed class ApiTokenSourceTests : IDisposable
{
    private readonly TempDirectory _directory = new("mlops-token");

    [Fact]
    public void Resolve_NothingConfigured_Null()
    {
        Assert.Null(ApiTokenSource.Resolve(null, Environment()));
    }

    [Fact]
    public void Resolve_TokenFileOption_WinsOverEverything()
    {
        var file = WriteToken("option.token", "from-option\n");
        WriteToken(Path.Combine("config", "mlops", "token"), "from-default");

        var token = ApiTokenSource.Resolve(file, Environment(new()
        {
            [ApiTokenSource.TokenVariable] = "from-variable",
            [ApiTokenSource.TokenFileVariable] = WriteToken("variable.token", "from-variable-file"),
        }));

        Assert.Equal("from-option", token);
    }

    [Fact]
    public void Resolve_TokenVariable_WinsOverTokenFileVariableAndDefault()
    {
        WriteToken(Path.Combine("config", "mlops", "token"), "from-default");

        var token = ApiTokenSource.Resolve(null, Environment(new()
        {
            [ApiTokenSource.TokenVariable] = " from-variable ",
            [ApiTokenSource.TokenFileVariable] = WriteToken("variable.token", "from-variable-file"),
        }));

        Assert.Equal("from-variable", token);
    }

    [Fact]
    public void Resolve_TokenFileVariable_WinsOverDefault()
    {
        WriteToken(Path.Combine("config", "mlops", "token"), "from-default");

        var token = ApiTokenSource.Resolve(null, Environment(new() { [ApiTokenSource.TokenFileVariable] = WriteToken("v.token", "from-variable-file") }));

        Assert.Equal("from-variable-file", token);
    }

    [Fact]
    public void Resolve_DefaultFileUnderXdgConfigHome_Read()
    {
        WriteToken(Path.Combine("config", "mlops", "token"), "mlops_abc123\n");

        Assert.Equal("mlops_abc123", ApiTokenSource.Resolve(null, Environment()));
    }

    [Fact]
    public void DefaultPath_NoXdgConfigHome_UnderHomeDotConfig()
    {
        var environment = CliRun.Environment(variables: new Dictionary<string, string>());

        Assert.Equal(Path.Combine(environment.HomeDirectory, ".config", "mlops", "token"), ApiTokenSource.DefaultPath(environment));
    }

    [Fact]
    public void Resolve_FileReadableByOthers_WarnsWithoutPrintingTheToken()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var file = WriteToken("open.token", "s3cret-token");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var error = new StringWriter();

        var token = ApiTokenSource.Resolve(file, Environment(error: error));

        Assert.Equal("s3cret-token", token);
        Assert.Contains($"warning: the token file {file} may be read by other users (mode 0644)", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_OwnerOnlyFile_NoWarning()
    {
        var file = WriteToken("closed.token", "s3cret-token");
        var error = new StringWriter();

        ApiTokenSource.Resolve(file, Environment(error: error));

        Assert.Equal("", error.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n")]
    [InlineData("two words")]
    public void Resolve_NotAToken_UsageErrorWithoutTheContent(string content)
    {
        var file = WriteToken("bad.token", content);

        var error = Assert.Throws<CliException>(() => ApiTokenSource.Resolve(file, Environment()));

        Assert.Equal(ExitCodes.Usage, error.ExitCode);
        Assert.Contains(file, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("words", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_MissingTokenFile_UsageErrorNamingIt()
    {
        var missing = _directory.Combine("missing.token");

        var error = Assert.Throws<CliException>(() => ApiTokenSource.Resolve(missing, Environment()));

        Assert.Equal(ExitCodes.Usage, error.ExitCode);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Contains("--token-file", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Dispose();

    private CliEnvironment Environment(Dictionary<string, string>? variables = null, StringWriter? error = null)
    {
        variables ??= [];
        variables["XDG_CONFIG_HOME"] = _directory.Combine("config");
        return CliRun.Environment(error: error, variables: variables);
    }

    private string WriteToken(string relativePath, string content)
    {
        var path = _directory.Combine(relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return path;
    }
}
