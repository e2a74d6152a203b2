using MlOps.Cli.LocalCluster;
using MlOps.Testing;

namespace MlOps.Cli.Tests.LocalCluster;

/// <summary>Discovery order: option, variable, next to mlops, the repository's artifacts layout.</summary>
public sealed class BinaryLocatorTests : IDisposable
{
    private readonly TempDirectory _temp = new("mlops-cli-bin");
    private readonly string _cliDir;
    private readonly string _repoLayoutFile;

    public BinaryLocatorTests()
    {
        _cliDir = Directory.CreateDirectory(_temp.Combine("artifacts", "bin", "MlOps.Cli", "debug")).FullName;
        _repoLayoutFile = _temp.Combine("artifacts", "bin", "MlOps.Coordinator", "debug", "MlOps.Coordinator.dll");
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Locate_OptionGiven_WinsOverEverythingElse()
    {
        var fromOption = Touch(_temp.Combine("opt", "MlOps.Coordinator.dll"));
        Touch(_temp.Combine("env", "MlOps.Coordinator.dll"));
        Touch(Path.Combine(_cliDir, "MlOps.Coordinator.dll"));
        Touch(_repoLayoutFile);

        Assert.Equal(fromOption, Locate(fromOption, variable: _temp.Combine("env", "MlOps.Coordinator.dll")));
    }

    [Fact]
    public void Locate_VariableSet_WinsOverTheSearchedFolders()
    {
        var fromVariable = Touch(_temp.Combine("env", "MlOps.Coordinator.dll"));
        Touch(Path.Combine(_cliDir, "MlOps.Coordinator.dll"));

        Assert.Equal(fromVariable, Locate(option: null, variable: fromVariable));
    }

    [Fact]
    public void Locate_NextToMlops_WinsOverTheRepositoryLayout()
    {
        var besideCli = Touch(Path.Combine(_cliDir, "MlOps.Coordinator.dll"));
        Touch(_repoLayoutFile);

        Assert.Equal(besideCli, Locate(option: null, variable: null));
    }

    [Fact]
    public void Locate_OnlyInTheRepositoryLayout_FindsTheSiblingProjectInTheSameConfiguration()
    {
        Touch(_repoLayoutFile);
        Touch(_temp.Combine("artifacts", "bin", "MlOps.Coordinator", "release", "MlOps.Coordinator.dll"));

        Assert.Equal(_repoLayoutFile, Locate(option: null, variable: null));
    }

    [Fact]
    public void Locate_OptionNamesAFolder_UsesTheFileInIt()
    {
        var file = Touch(_temp.Combine("opt", "MlOps.Coordinator.dll"));

        Assert.Equal(file, Locate(_temp.Combine("opt"), variable: null));
    }

    [Fact]
    public void Locate_OptionNamesAMissingFile_IsAUsageErrorEvenWhenOthersExist()
    {
        Touch(Path.Combine(_cliDir, "MlOps.Coordinator.dll"));

        var ex = Assert.Throws<CliException>(() => Locate(_temp.Combine("nope.dll"), variable: null));

        Assert.Equal(ExitCodes.Usage, ex.ExitCode);
        Assert.Contains("--coordinator-path", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Locate_NothingFound_SaysWhereItLookedAndHowToBuild()
    {
        var ex = Assert.Throws<CliException>(() => Locate(option: null, variable: null));

        Assert.Equal(ExitCodes.Error, ex.ExitCode);
        Assert.Contains(ex.Details, d => d == "not found: " + Path.Combine(_cliDir, "MlOps.Coordinator.dll"));
        Assert.Contains(ex.Details, d => d == "not found: " + _repoLayoutFile);
        Assert.Contains(ex.Details, d => d.EndsWith("dotnet build src/MlOps.Coordinator", StringComparison.Ordinal));
        Assert.Contains(ex.Details, d => d.Contains("MLOPS_COORDINATOR_PATH", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Up_MissingBinaries_ExitsFiveBeforeStartingAnything()
    {
        var error = new StringWriter();
        var environment = CliRun.Environment(error: error, baseDirectory: _cliDir);

        var code = await CliApp.RunAsync(["up", "--data-dir", _temp.Combine("data")], environment, CancellationToken.None);

        Assert.Equal(ExitCodes.Error, code);
        Assert.StartsWith("error: cannot find the coordinator (MlOps.Coordinator.dll)", error.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.Combine("data")));
    }

    private string Locate(string? option, string? variable)
    {
        var variables = variable is null ? null : new Dictionary<string, string> { ["MLOPS_COORDINATOR_PATH"] = variable };
        return BinaryLocator.Locate(ClusterBinary.Coordinator, option, CliRun.Environment(variables: variables, baseDirectory: _cliDir));
    }

    private static string Touch(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "");
        return path;
    }
}
