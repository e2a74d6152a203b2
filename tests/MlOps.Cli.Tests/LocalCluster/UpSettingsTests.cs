using MlOps.Cli.LocalCluster;

namespace MlOps.Cli.Tests.LocalCluster;

/// <summary>The children's command lines and the default data directory.</summary>
public sealed class UpSettingsTests
{
    [Fact]
    public void Arguments_Defaults_PointBothChildrenAtTheLoopbackPortAndTheirOwnFolders()
    {
        var settings = new UpSettings { DataDirectory = "/data/mlops" };

        Assert.Equal(["--Coordinator:Listen=http://127.0.0.1:7070", "--Coordinator:DataDirectory=/data/mlops/coordinator"], settings.CoordinatorArguments());
        Assert.Equal(
            [
                "--Agent:CoordinatorAddress=http://127.0.0.1:7070", "--Agent:DataDirectory=/data/mlops/agent", "--Agent:Id=local",
                "--Agent:Serving:GrpcListen=http://127.0.0.1:8001", "--Agent:Serving:RestListen=http://127.0.0.1:8000",
            ],
            settings.AgentArguments());
    }

    [Fact]
    public void Arguments_InferencePortsZero_AgentServesNothing()
    {
        var settings = new UpSettings { DataDirectory = "/d", GrpcPort = 0, RestPort = 0 };

        Assert.Contains("--Agent:Serving:GrpcListen=", settings.AgentArguments());
        Assert.Contains("--Agent:Serving:RestListen=", settings.AgentArguments());
    }

    [Fact]
    public void Arguments_PortAndAgentId_AreUsed()
    {
        var settings = new UpSettings { DataDirectory = "/d", Port = 9123, AgentId = "gpu-1" };

        Assert.Contains("--Coordinator:Listen=http://127.0.0.1:9123", settings.CoordinatorArguments());
        Assert.Contains("--Agent:CoordinatorAddress=http://127.0.0.1:9123", settings.AgentArguments());
        Assert.Contains("--Agent:Id=gpu-1", settings.AgentArguments());
    }

    [Fact]
    public void DataDirectory_XdgDataHomeSet_IsUnderIt()
    {
        var environment = CliRun.Environment(variables: new Dictionary<string, string> { ["XDG_DATA_HOME"] = "/xdg" });

        Assert.Equal("/xdg/mlops", DataDirectory.Default(environment));
    }

    [Fact]
    public void DataDirectory_NoXdg_IsUnderHomeLocalShare()
    {
        Assert.Equal($"/home/{CliRun.User}/.local/share/mlops", DataDirectory.Default(CliRun.Environment()));
    }

    [Fact]
    public void DataDirectory_RelativeOption_IsMadeAbsolute()
    {
        Assert.Equal(Path.GetFullPath("rel/dir"), DataDirectory.Resolve("rel/dir", CliRun.Environment()));
    }

    [Fact]
    public void ChildCommand_Dll_RunsOnTheDotnetHostThatRunsMlops()
    {
        var command = ChildCommand.For("/bin/MlOps.Coordinator.dll", ["--x=1"], processPath: "/usr/share/dotnet/dotnet");

        Assert.Equal("/usr/share/dotnet/dotnet", command.FileName);
        Assert.Equal(["/bin/MlOps.Coordinator.dll", "--x=1"], command.Arguments);
    }

    [Fact]
    public void ChildCommand_DllFromAnAppHost_RunsOnDotnetFromPath()
    {
        Assert.Equal("dotnet", ChildCommand.For("/bin/MlOps.Agent.dll", [], processPath: "/opt/mlops/mlops").FileName);
    }

    [Fact]
    public void ChildCommand_Executable_RunsDirectlyAndCanBeWrappedInSetsid()
    {
        var command = ChildCommand.For("/opt/mlops/MlOps.Agent", ["--a"], processPath: "/opt/mlops/mlops").InOwnSession("/usr/bin/setsid");

        Assert.Equal("/usr/bin/setsid", command.FileName);
        Assert.Equal(["/opt/mlops/MlOps.Agent", "--a"], command.Arguments);
        Assert.Equal("/usr/bin/setsid /opt/mlops/MlOps.Agent --a", command.ToString());
    }
}
