using MlOps.LoadTest.Scenarios;

namespace MlOps.LoadTest.Tests.Scenarios;

public class ScenarioConnectionsTests
{
    private const string Yaml = """
        scenarios:
          - name: rest
            transport: rest
            target: http://127.0.0.1:8000
            model: m
            duration: 1s
            load: { open: { rate: 100 } }
        """;

    [Fact]
    public void Parse_NoConnections_Default256()
    {
        var scenario = Assert.Single(ScenarioFile.Parse(Yaml, "t.yaml"));

        Assert.Equal(Scenario.DefaultConnections, scenario.Connections);
    }

    [Fact]
    public void Parse_Connections_Read()
    {
        var scenario = Assert.Single(ScenarioFile.Parse(Yaml + "\n    connections: 32", "t.yaml"));

        Assert.Equal(32, scenario.Connections);
    }

    [Fact]
    public void Parse_ZeroConnections_ErrorNamesTheField()
    {
        var error = Assert.Throws<ScenarioFileException>(() => ScenarioFile.Parse(Yaml + "\n    connections: 0", "t.yaml"));

        Assert.Contains(error.Errors, e => e.Field == "scenarios[0].connections");
    }
}
