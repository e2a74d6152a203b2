using MlOps.LoadTest.Scenarios;

namespace MlOps.LoadTest.Tests.Scenarios;

public sealed class ScenarioFileErrorTests
{
    /// <summary>A valid scenario at index 0; tests append keys or a second scenario to it.</summary>
    private const string Head = """
        scenarios:
          - name: first
            target: http://127.0.0.1:8001
            model: m
            load: { closed: { users: 4 } }
            duration: 10s

        """;

    private static IReadOnlyList<ScenarioFileError> Errors(string yaml) =>
        Assert.Throws<ScenarioFileException>(() => ScenarioFile.Parse(yaml, "test.yaml")).Errors;

    private static ScenarioFileError SingleError(string yaml) => Assert.Single(Errors(yaml));

    /// <summary>A second scenario (index 1) with the given lines replacing its body's defaults.</summary>
    private static string Second(string load = "load: { closed: { users: 4 } }", string bound = "duration: 10s", string extra = "") =>
        Head + $"""
              - name: second
                target: http://127.0.0.1:8001
                model: m
                {load}
                {bound}
                {extra}
            """;

    [Theory]
    [InlineData("warm_up: 10", "scenarios[1].warm_up", "no unit")]
    [InlineData("warm_up: 10h", "scenarios[1].warm_up", "unknown unit 'h'")]
    [InlineData("timeout: 0s", "scenarios[1].timeout", "greater than 0")]
    [InlineData("warm_up: -1s", "scenarios[1].warm_up", "negative")]
    [InlineData("batch_size: 1025", "scenarios[1].batch_size", "from 1 to 1,024")]
    [InlineData("samples: 0", "scenarios[1].samples", "from 1 to 10,000")]
    [InlineData("transport: quic", "scenarios[1].transport", "grpc or rest")]
    [InlineData("colour: blue", "scenarios[1].colour", "unknown key 'colour'; expected one of: name, transport, target")]
    [InlineData("thresholds: [ \"p99 < 10\" ]", "scenarios[1].thresholds[0]", "needs a unit")]
    [InlineData("thresholds: [ \"latency < 10ms\" ]", "scenarios[1].thresholds[0]", "unknown metric 'latency'")]
    [InlineData("actions: [ { at: 5s } ]", "scenarios[1].actions[0].run", "is required")]
    [InlineData("actions: [ { at: 10s, run: echo } ]", "scenarios[1].actions[0].at", "before the end of the measured window (10s)")]
    [InlineData("dataset: ''", "scenarios[1].dataset", "must not be empty")]
    public void Parse_BadScenarioValue_ReportsFieldPathAndLine(string extra, string field, string message)
    {
        var error = SingleError(Second(extra: extra));

        Assert.Equal(field, error.Field);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(12, error.Line);
    }

    [Theory]
    [InlineData("load: { closed: { users: 4 }, open: { rate: 10 } }", "scenarios[1].load", "exactly one of closed, open or ramp; found closed and open")]
    [InlineData("load: { }", "scenarios[1].load", "needs one of closed, open or ramp")]
    [InlineData("load: { open: { rate: -5 } }", "scenarios[1].load.open.rate", "greater than 0")]
    [InlineData("load: { open: { max_in_flight: 5 } }", "scenarios[1].load.open.rate", "is required")]
    [InlineData("load: { closed: { users: 100001 } }", "scenarios[1].load.closed.users", "from 1 to 100,000")]
    [InlineData("load: { closed: { users: 4, think: 1ms } }", "scenarios[1].load.closed.think", "expected one of: users, think_time")]
    [InlineData("load: { ramp: { steps: [] } }", "scenarios[1].load.ramp.steps", "at least one step")]
    [InlineData("load: { ramp: { steps: [ { rate: 10, duration: 1s }, { rate: 0, duration: 1s } ] } }", "scenarios[1].load.ramp.steps[1].rate", "greater than 0")]
    public void Parse_BadLoad_ReportsFieldPath(string load, string field, string message)
    {
        var error = SingleError(Second(load: load));

        Assert.Equal(field, error.Field);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DurationAndRequests_ReportsBothSetAtRequests()
    {
        var error = SingleError(Second(bound: "duration: 10s\n    requests: 1000"));

        Assert.Equal("scenarios[1].requests", error.Field);
        Assert.Contains("either duration or requests, not both", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NeitherDurationNorRequests_ReportsTheScenario()
    {
        var error = SingleError(Second(bound: ""));

        Assert.Equal("scenarios[1]", error.Field);
        Assert.Contains("needs duration or requests", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RampWithDuration_ReportsTheDuration()
    {
        var error = SingleError(Second(load: "load: { ramp: { steps: [ { rate: 10, duration: 1s } ] } }", bound: "duration: 10s"));

        Assert.Equal("scenarios[1].duration", error.Field);
        Assert.Contains("a ramp is bounded by its steps", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:8001")]
    [InlineData("ftp://host/x")]
    [InlineData("/relative/path")]
    public void Parse_BadTarget_ReportsTarget(string target)
    {
        var error = SingleError(Head.Replace("http://127.0.0.1:8001", target, StringComparison.Ordinal));

        Assert.Equal("scenarios[0].target", error.Field);
        Assert.Contains("absolute http:// or https:// address", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, error.Line);
    }

    [Theory]
    [InlineData("a b")]
    [InlineData("../up")]
    [InlineData("..")]
    public void Parse_UnsafeName_ReportsName(string name)
    {
        var error = SingleError(Head.Replace("name: first", $"name: '{name}'", StringComparison.Ordinal));

        Assert.Equal("scenarios[0].name", error.Field);
        Assert.Contains("letters, digits", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DuplicateNames_ReportsTheSecondNamingTheFirst()
    {
        var error = SingleError(Second().Replace("name: second", "name: FIRST", StringComparison.Ordinal));

        Assert.Equal("scenarios[1].name", error.Field);
        Assert.Contains("already the name of scenarios[0] (line 2)", error.Message, StringComparison.Ordinal);
        Assert.Equal(7, error.Line);
    }

    [Fact]
    public void Parse_MissingRequiredKeys_ReportsEachOne()
    {
        var errors = Errors("scenarios:\n  - name: lonely\n    duration: 1s\n");

        Assert.Equal(["scenarios[0].target", "scenarios[0].model", "scenarios[0].load"], errors.Select(e => e.Field));
        Assert.All(errors, e => Assert.Contains("under defaults", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_ManyErrors_ReportsThemAllInDocumentOrder()
    {
        var yaml = """
            defaults:
              warm_up: 5
              name: shared
            scenarios:
              - name: a
                transport: carrier-pigeon
                target: not a uri
                model: m
                load: { closed: { users: 4 }, open: { rate: -1 } }
                duration: 10s
                requests: 5
                thresholds: [ "p99 < 10", "error_rate == 0" ]
              - name: a
                target: http://h:1
                model: m
                load: { ramp: { steps: [ { rate: 1, duration: 1s } ] } }
                duration: 3s
                colour: red
            """;

        var ex = Assert.Throws<ScenarioFileException>(() => ScenarioFile.Parse(yaml, "many.yaml"));

        Assert.Equal(
            [
                "defaults.warm_up", "defaults.name", "scenarios[0].transport", "scenarios[0].target", "scenarios[0].load.open.rate",
                "scenarios[0].load", "scenarios[0].requests", "scenarios[0].thresholds[0]", "scenarios[1].name",
                "scenarios[1].duration", "scenarios[1].colour",
            ],
            ex.Errors.Select(e => e.Field));
        Assert.Contains("many.yaml (11 errors)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("defaults.warm_up: '5' has no unit; add one: 5ms, 5s or 5m (line 2)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadDefault_ReportedOnceEvenWhenInheritedTwice()
    {
        var yaml = "defaults:\n  timeout: 30\n" + Second().Replace("scenarios:\n", "", StringComparison.Ordinal).Insert(0, "scenarios:\n");

        var error = SingleError(yaml);

        Assert.Equal("defaults.timeout", error.Field);
        Assert.Equal(2, error.Line);
    }

    [Theory]
    [InlineData("", "(file)", "is empty")]
    [InlineData("# only a comment\n", "(file)", "is empty")]
    [InlineData("scenarios: []", "scenarios", "is empty; add at least one scenario")]
    [InlineData("defaults: { model: m }", "scenarios", "is required")]
    [InlineData("scenario: []", "scenario", "unknown key 'scenario'; expected one of: defaults, scenarios")]
    [InlineData("- name: x", "(root)", "must be a mapping")]
    [InlineData("scenarios: [ { name: x ", "(yaml)", "")]
    public void Parse_WrongShape_ReportsWhatIsMissing(string yaml, string field, string message)
    {
        var error = Errors(yaml)[0];

        Assert.Equal(field, error.Field);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
