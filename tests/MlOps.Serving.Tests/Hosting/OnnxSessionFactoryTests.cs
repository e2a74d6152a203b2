using MlOps.Serving.Hosting;

namespace MlOps.Serving.Tests.Hosting;

public sealed class OnnxSessionFactoryTests
{
    [Fact]
    public void CudaProviderOptions_Defaults_DeviceZeroSameAsRequestedHeuristicNoLimit()
    {
        var cuda = OnnxSessionFactory.CudaProviderOptions(new OnnxModelVersionOptions());

        Assert.Equal(new Dictionary<string, string>
        {
            ["device_id"] = "0",
            ["arena_extend_strategy"] = "kSameAsRequested",
            ["cudnn_conv_algo_search"] = "HEURISTIC",
            ["do_copy_in_default_stream"] = "1",
        }, cuda);
    }

    [Fact]
    public void CudaProviderOptions_DeviceAndMemoryLimit_PassedInvariantly()
    {
        var cuda = OnnxSessionFactory.CudaProviderOptions(new OnnxModelVersionOptions { CudaDeviceId = 3, CudaMemoryLimitBytes = 8L << 30 });

        Assert.Equal(("3", "8589934592"), (cuda["device_id"], cuda["gpu_mem_limit"]));
    }

    [Fact]
    public void Validate_NegativeDeviceAndMemoryLimit_BothListed()
    {
        var errors = new OnnxModelVersionOptions { CudaDeviceId = -1, CudaMemoryLimitBytes = -5 }.Validate();

        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("CudaDeviceId", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("CudaMemoryLimitBytes", StringComparison.Ordinal) && e.Contains("-5"));
    }
}
