using Google.Protobuf;
using MlOps.LoadTest.Running;
using MlOps.LoadTest.Scenarios;
using MlOps.LoadTest.Tests.Support;

namespace MlOps.LoadTest.Tests.Running;

public class LoadRunnerTests
{
    private static Scenario Scenario(LoadModel load, TimeSpan? duration = null, long? requests = null, TimeSpan? warmUp = null) => new()
    {
        Name = "test",
        Target = new Uri("http://127.0.0.1:1"),
        Model = "m",
        Load = load,
        Duration = duration,
        Requests = requests,
        WarmUp = warmUp ?? TimeSpan.FromMilliseconds(200),
    };

    [Fact]
    public async Task RunAsync_OpenModelAgainstFastServer_AchievedRateWithinOnePercent()
    {
        var transport = new InstantTransportForTests();
        var scenario = Scenario(new OpenLoad(2_000), duration: TimeSpan.FromSeconds(4));

        var result = await new LoadRunner().RunAsync(scenario, transport, payloadCount: 10);

        Assert.NotNull(result.AchievedSendRate);
        Assert.InRange(result.AchievedSendRate!.Value, 1_980, 2_020);
        Assert.InRange(result.Requests, 7_920, 8_080);
        Assert.Equal(0, result.Errors);
        // The warm-up (0.2 s at the same rate) was sent but not recorded.
        Assert.InRange(transport.Sent - result.Requests, 360, 440);
    }

    [Fact]
    public async Task RunAsync_OpenModelBoundedByCount_RecordsExactlyThatMany()
    {
        var transport = new InstantTransportForTests();
        var scenario = Scenario(new OpenLoad(5_000), requests: 3_000, warmUp: TimeSpan.Zero);

        var result = await new LoadRunner().RunAsync(scenario, transport, payloadCount: 3);

        Assert.Equal(3_000, result.Requests);
        Assert.Equal(3_000, transport.Sent);
        // 0.6 s of sending: one scheduling pause of a few milliseconds on a busy machine moves this average by more
        // than 1 %, so the bound is 3 % here; the 1 % property is checked over 4 s above.
        Assert.InRange(result.AchievedSendRate!.Value, 4_850, 5_150);
    }

    [Fact]
    public async Task RunAsync_Ramp_SendsEachStepAtItsRate()
    {
        var transport = new InstantTransportForTests();
        var ramp = new RampLoad([new RampStep(500, TimeSpan.FromSeconds(1)), new RampStep(1_500, TimeSpan.FromSeconds(1))]);
        var scenario = Scenario(ramp, warmUp: TimeSpan.Zero);

        var result = await new LoadRunner().RunAsync(scenario, transport, payloadCount: 1);

        Assert.InRange(result.Requests, 1_980, 2_020);
        Assert.Equal(1_000, result.TargetRate);
        var series = result.Series;
        Assert.InRange(series[0].Requests, 450, 550);
        Assert.InRange(series[1].Requests, 1_400, 1_600);
    }

    [Fact]
    public async Task RunAsync_ClosedModelBoundedByCount_RecordsExactlyThatMany()
    {
        var transport = new InstantTransportForTests();
        var scenario = Scenario(new ClosedLoad(8), requests: 20_000);

        var result = await new LoadRunner().RunAsync(scenario, transport, payloadCount: 5);

        Assert.Equal(20_000, result.Requests);
        Assert.Equal(8, result.Users);
        Assert.Null(result.AchievedSendRate);
        Assert.True(result.Throughput > 0);
    }

    [Fact]
    public async Task RunAsync_StallingServer_OpenModelShowsTheStallInP99ClosedModelOnlyInMax()
    {
        // Every second the server holds all requests for 250 ms. An open model at 200 req/s intends 25 % of its
        // requests inside the stalls, so the stall dominates its p99; one closed-loop user is stuck behind a stall
        // for only one request per second, so only that user's max sees it (coordinated omission).
        await using var server = await StallingInferenceServer.StartAsync(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(250));
        var payloads = new[] { new MlOps.Contracts.Inference.ModelInferRequest { ModelName = "stall" }.ToByteArray() };
        await using var transport = new MlOps.LoadTest.Transports.GrpcLoadTransport(server.Address, payloads, TimeSpan.FromSeconds(10));
        var runner = new LoadRunner();
        var duration = TimeSpan.FromSeconds(4);

        // A fresh process needs a few seconds of load before JIT and the thread pool settle; the closed run comes second.
        var open = await runner.RunAsync(Scenario(new OpenLoad(200), duration, warmUp: TimeSpan.FromSeconds(3)), transport, 1);
        var closed = await runner.RunAsync(Scenario(new ClosedLoad(1), duration, warmUp: TimeSpan.FromSeconds(1)), transport, 1);

        Assert.Equal(0, open.Errors + closed.Errors);
        Assert.InRange(open.Latency.P99, 150, 400);
        Assert.InRange(open.Latency.P90, 50, 400);
        Assert.True(closed.Latency.Max >= 100, $"closed max {closed.Latency.Max} ms");
        // Compared with the open run of the same process rather than with a fixed bound: on a loaded machine the closed
        // user sends fewer requests, so its few stalled ones weigh more, but never close to the open model's share.
        Assert.True(closed.Latency.P99 < open.Latency.P99 / 2, $"closed p99 {closed.Latency.P99} ms should not show the stall (open p99 {open.Latency.P99} ms)");
        Assert.True(closed.Requests > 400, $"closed sent {closed.Requests}");
    }
}
