using System.Text;
using MlOps.Agent.Metrics;
using MlOps.ServiceDefaults.Metrics;
using MlOps.Testing;

namespace MlOps.Agent.Tests.Metrics;

public sealed class GpuMetricsExpositionTests
{
    private static readonly GpuReading H100 = new(0, "GPU-8d9c1f2e-0000-1111-2222-333344445555", "NVIDIA H100 80GB HBM3", 87, 40_960, 40_000, 61, 412.5);

    [Fact]
    public void Write_FakeNvmlReading_DcgmNamesLabelsAndUnits()
    {
        var page = Render(new FakeGpuTelemetryForTests(H100));

        Assert.Equal(
            ["DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE", "DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_POWER_USAGE"],
            page.Keys);
        Assert.All(page.Values, family => Assert.Equal("gauge", family.Type));
        var util = Assert.Single(page["DCGM_FI_DEV_GPU_UTIL"].Samples);
        Assert.Equal(("0", H100.Uuid, "NVIDIA H100 80GB HBM3", 87.0), (util.Label("gpu"), util.Label("UUID"), util.Label("modelName"), util.Value));
        Assert.Equal(40_960, Assert.Single(page["DCGM_FI_DEV_FB_USED"].Samples).Value);
        Assert.Equal(40_000, Assert.Single(page["DCGM_FI_DEV_FB_FREE"].Samples).Value);
        Assert.Equal(61, Assert.Single(page["DCGM_FI_DEV_GPU_TEMP"].Samples).Value);
        Assert.Equal(412.5, Assert.Single(page["DCGM_FI_DEV_POWER_USAGE"].Samples).Value);
    }

    [Fact]
    public void Write_TwoGpusOneWithoutPowerReading_PowerSeriesOnlyForTheOther()
    {
        var second = H100 with { Index = 1, Uuid = "GPU-2", PowerWatts = null };

        var page = Render(new FakeGpuTelemetryForTests(H100, second));

        Assert.Equal(["0", "1"], page["DCGM_FI_DEV_GPU_TEMP"].Samples.Select(s => s.Label("gpu")));
        Assert.Equal("0", Assert.Single(page["DCGM_FI_DEV_POWER_USAGE"].Samples).Label("gpu"));
    }

    [Fact]
    public void Write_NoGpus_NoFamilies()
    {
        Assert.Empty(Render(new FakeGpuTelemetryForTests()));
    }

    private static IReadOnlyDictionary<string, PrometheusFamily> Render(IGpuTelemetry telemetry)
    {
        var text = new StringBuilder();
        GpuMetricsExposition.Write(new PrometheusTextWriter(text), telemetry.Read());
        return PrometheusText.Parse(text.ToString());
    }
}
