using MlOps.Monitoring.Profiles;
using Xunit.Abstractions;

namespace MlOps.Monitoring.Tests.Profiles;

public sealed class AllocationTests(ITestOutputHelper output)
{
    [Fact]
    public void ModelProfileAdd_PerRequest_AllocatesNothing()
    {
        var live = ProfileTests.Reference(70, 300).CreateLike(5);
        var generator = new SyntheticImages(71);
        var images = Enumerable.Range(0, 16).Select(_ => generator.Next()).ToArray();
        var outputs = Enumerable.Range(0, 16).Select(i => Draw.Output(i % 10)).ToArray();

        // Warm-up: past the reservoir's capacity, so the replacement branch is exercised too.
        for (var i = 0; i < 600; i++)
        {
            live.Add(images[i % 16], outputs[i % 16]);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 2000; i++)
        {
            live.Add(images[i % 16], outputs[i % 16]);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(2600, live.Inputs.Count);
    }

    [Fact]
    public void ProfileUpdateCost_Measure_ReportsZeroBytesPerRequest()
    {
        // Only the allocation figure is asserted; the time depends on the machine.
        var cost = ProfileUpdateCost.Measure(requests: 2000);
        output.WriteLine($"{cost.NanosecondsPerRequest:F0} ns and {cost.BytesAllocatedPerRequest} bytes per request (28x28, informational)");
        Assert.Equal(2000, cost.Requests);
        Assert.Equal(0, cost.BytesAllocatedPerRequest);
        Assert.True(cost.NanosecondsPerRequest > 0);
    }
}
