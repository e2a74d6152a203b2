using MlOps.Agent.Inventory;
using MlOps.Agent.Metrics;
using MlOps.Agent.Tests.Inventory;

namespace MlOps.Agent.Tests.Metrics;

public sealed class NvmlGpuTelemetryTests
{
    [Fact]
    public void Read_TwoGpus_ReadingsInDcgmUnits()
    {
        var nvml = new FakeNvmlForTests(2);
        nvml.Samples[1] = new GpuSample(
            MemoryUsedMb: 40_960, MemoryFreeMb: 40_000, UtilizationPercent: 87, TemperatureC: 61, PowerMilliwatts: 412_500, EccUncorrected: 0, XidWatched: true);

        var gpus = new NvmlGpuTelemetry(nvml).Read();

        Assert.Equal(
            [
                new GpuReading(0, "GPU-fake-0", "Fake H100", 10, 1024, 80_535, 40, 70),
                new GpuReading(1, "GPU-fake-1", "Fake H100", 87, 40_960, 40_000, 61, 412.5),
            ],
            gpus);
    }

    [Fact]
    public void Read_ValuesTheBoardCannotGive_AreNull()
    {
        var nvml = new FakeNvmlForTests(1);
        nvml.Samples[0] = new GpuSample(512, 100, -1, -1, -1, -1, XidWatched: false);

        var gpu = Assert.Single(new NvmlGpuTelemetry(nvml).Read());

        Assert.Equal((512.0, 100.0), (gpu.FramebufferUsedMiB, gpu.FramebufferFreeMiB));
        Assert.Equal<double?>([null, null, null], [gpu.UtilizationPercent, gpu.TemperatureCelsius, gpu.PowerWatts]);
    }

    [Fact]
    public void Read_GpuNvmlNoLongerAnswersFor_IsLeftOut()
    {
        var nvml = new FakeNvmlForTests(2);
        nvml.Samples.Remove(0);

        Assert.Equal([1], new NvmlGpuTelemetry(nvml).Read().Select(g => g.Index));
    }
}
