using MlOps.LoadTest.Scenarios;

namespace MlOps.LoadTest.Tests.Scenarios;

public sealed class ScenarioFileTests
{
    private const string Full = """
        defaults:
          target: http://127.0.0.1:8001
          model: fashion-mlp
          warm_up: 3s
          duration: 20s
          thresholds: [ "error_rate == 0" ]
        scenarios:
          - name: mlp-grpc-closed
            transport: grpc
            target: https://infer.example:9443
            model: fashion-cnn
            version: "2"
            batch_size: 8
            load:
              closed: { users: 64, think_time: 1.5ms }
            duration: 10s
            warm_up: 0s
            timeout: 250ms
            dataset: /data/fashion
            samples: 500
            thresholds: [ "p99 < 10ms", "error_rate == 0", "throughput >= 15000" ]
            actions:
              - at: 5s
                run: mlops deploy fashion-mlp:2 --wait
                label: rollout
              - at: 7.5s
                run: echo done
          - name: mlp-rest-open
            transport: REST
            load:
              open: { rate: 5000.5, max_in_flight: 200 }
            requests: 100000
          - name: mlp.ramp_1
            load:
              ramp:
                steps: [ { rate: 1000, duration: 5s }, { rate: 2000, duration: 1m } ]
          - name: inherits-bound
            load: { open: { rate: 10 } }
        """;

    [Fact]
    public void Parse_FullFile_MapsEveryField()
    {
        var scenarios = ScenarioFile.Parse(Full, "full.yaml");

        Assert.Equal(4, scenarios.Count);
        var closed = scenarios[0];
        Assert.Equal("mlp-grpc-closed", closed.Name);
        Assert.Equal(TransportKind.Grpc, closed.Transport);
        Assert.Equal(new Uri("https://infer.example:9443"), closed.Target);
        Assert.Equal("fashion-cnn", closed.Model);
        Assert.Equal("2", closed.Version);
        Assert.Equal(8, closed.BatchSize);
        Assert.Equal(new ClosedLoad(64, TimeSpan.FromMicroseconds(1500)), closed.Load);
        Assert.Equal(TimeSpan.FromSeconds(10), closed.Duration);
        Assert.Null(closed.Requests);
        Assert.Equal(TimeSpan.Zero, closed.WarmUp);
        Assert.Equal(TimeSpan.FromMilliseconds(250), closed.Timeout);
        Assert.Equal("/data/fashion", closed.Dataset);
        Assert.Equal(500, closed.Samples);
        Assert.Equal(["p99 < 10ms", "error_rate == 0", "throughput >= 15000"], closed.Thresholds.Select(t => t.Text));
        Assert.Equal(new Threshold(ThresholdMetric.P99, ThresholdComparison.Less, 10, "p99 < 10ms"), closed.Thresholds[0]);
        Assert.Equal(
            [new ScenarioAction(TimeSpan.FromSeconds(5), "mlops deploy fashion-mlp:2 --wait", "rollout"), new ScenarioAction(TimeSpan.FromSeconds(7.5), "echo done")],
            closed.Actions);
    }

    [Fact]
    public void Parse_Defaults_AppliedWhereTheScenarioLeavesTheKeyOut()
    {
        var scenarios = ScenarioFile.Parse(Full, "full.yaml");

        var open = scenarios[1];
        Assert.Equal(TransportKind.Rest, open.Transport);
        Assert.Equal(new Uri("http://127.0.0.1:8001"), open.Target);
        Assert.Equal("fashion-mlp", open.Model);
        Assert.Null(open.Version);
        Assert.Equal(1, open.BatchSize);
        Assert.Equal(new OpenLoad(5000.5, 200), open.Load);
        Assert.Equal(100_000, open.Requests);
        Assert.Null(open.Duration); // requests on the scenario replaces the default duration instead of conflicting with it
        Assert.Equal(TimeSpan.FromSeconds(3), open.WarmUp);
        Assert.Equal(TimeSpan.FromSeconds(30), open.Timeout);
        Assert.Equal(Scenario.DefaultDataset, open.Dataset);
        Assert.Equal(1000, open.Samples);
        Assert.Equal("error_rate == 0", Assert.Single(open.Thresholds).Text);
        Assert.Empty(open.Actions);

        var ramp = Assert.IsType<RampLoad>(scenarios[2].Load);
        Assert.Equal([new RampStep(1000, TimeSpan.FromSeconds(5)), new RampStep(2000, TimeSpan.FromMinutes(1))], ramp.Steps);
        Assert.Equal(OpenLoad.DefaultMaxInFlight, ramp.MaxInFlight);
        Assert.Null(scenarios[2].Duration); // a ramp does not inherit the default duration
        Assert.Null(scenarios[2].Requests);

        Assert.Equal(new OpenLoad(10), scenarios[3].Load);
        Assert.Equal(TimeSpan.FromSeconds(20), scenarios[3].Duration);
    }

    [Fact]
    public void Parse_DocumentedExample_Parses()
    {
        var scenario = Assert.Single(ScenarioFile.Parse("""
            defaults:            # optional: any scenario key
              target: http://127.0.0.1:8001
              model: fashion-mlp
              warm_up: 2s
            scenarios:
              - name: mlp-grpc-closed
                transport: grpc          # grpc | rest (default grpc)
                target: http://127.0.0.1:8001
                model: fashion-mlp
                version: "2"             # optional
                batch_size: 1
                load:
                  closed: { users: 64, think_time: 0ms }
                  # open: { rate: 5000, max_in_flight: 10000 }
                duration: 10s
                # requests: 100000
                warm_up: 2s
                timeout: 30s
                dataset: /usr/share/datasets/fashion-mnist
                samples: 1000
                thresholds: [ "p99 < 10ms", "error_rate == 0", "throughput >= 15000" ]
                actions:
                  - at: 5s
                    run: mlops deploy fashion-mlp:2 --wait
                    label: rollout
            """, "example.yaml"));

        Assert.Equal(new ClosedLoad(64), scenario.Load);
        Assert.Equal(3, scenario.Thresholds.Count);
        Assert.Equal("rollout", Assert.Single(scenario.Actions).Label);
    }

    [Fact]
    public void Parse_MinimalScenario_UsesModelDefaults()
    {
        var scenario = Assert.Single(ScenarioFile.Parse("""
            scenarios:
              - name: s
                target: http://localhost:8000
                model: m
                load: { closed: { users: 1 } }
                requests: 10
            """, "min.yaml"));

        Assert.Equal(TransportKind.Grpc, scenario.Transport);
        Assert.Equal(new ClosedLoad(1, TimeSpan.Zero), scenario.Load);
        Assert.Equal(TimeSpan.FromSeconds(2), scenario.WarmUp);
        Assert.Equal(TimeSpan.FromSeconds(30), scenario.Timeout);
        Assert.Empty(scenario.Thresholds);
    }

    [Fact]
    public void Load_FileOnDisk_ParsesIt()
    {
        var path = Path.Combine(Path.GetTempPath(), $"scenarios-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, Full);
        try
        {
            Assert.Equal(4, ScenarioFile.Load(path).Count);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Load_MissingFile_ThrowsScenarioFileExceptionNamingIt()
    {
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.yaml");

        var ex = Assert.Throws<ScenarioFileException>(() => ScenarioFile.Load(path));

        Assert.Equal(path, ex.SourceName);
        Assert.Contains("not found", Assert.Single(ex.Errors).Message, StringComparison.Ordinal);
    }
}
