using MlOps.Agent.Options;
using MlOps.Testing;

namespace MlOps.Agent.Tests.Options;

public sealed class AgentTrainingOptionsTests
{
    [Fact]
    public void Problems_Unset_None()
    {
        Assert.Empty(new AgentTrainingOptions().Problems());
    }

    [Fact]
    public void Problems_RelativeMissingOrWithoutLibTorch_NamesTheKey()
    {
        using var empty = new TempDirectory("mlops-torch-lib-");

        Assert.Contains("absolute path", Assert.Single(new AgentTrainingOptions { LibTorchDirectory = "torch/lib" }.Problems()), StringComparison.Ordinal);
        Assert.Contains("does not exist", Assert.Single(new AgentTrainingOptions { LibTorchDirectory = "/nonexistent/torch/lib" }.Problems()), StringComparison.Ordinal);
        Assert.Contains("holds no libtorch.so", Assert.Single(new AgentTrainingOptions { LibTorchDirectory = empty.Path }.Problems()), StringComparison.Ordinal);
    }

    [Fact]
    public void ApplyToChildren_Set_PassesTheDirectoryAsMlopsLibTorchDir()
    {
        var set = new Dictionary<string, string?>();

        new AgentTrainingOptions { LibTorchDirectory = "/opt/venv/lib/python3.12/site-packages/torch/lib" }.ApplyToChildren((k, v) => set[k] = v);
        new AgentTrainingOptions().ApplyToChildren((k, v) => set["unexpected"] = v);

        Assert.Equal(new Dictionary<string, string?> { ["MLOPS_LIBTORCH_DIR"] = "/opt/venv/lib/python3.12/site-packages/torch/lib" }, set);
    }
}
