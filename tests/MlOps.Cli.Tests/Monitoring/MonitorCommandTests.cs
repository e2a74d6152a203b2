using MlOps.Cli.Monitoring;
using MlOps.Contracts;

namespace MlOps.Cli.Tests.Monitoring;

public sealed class MonitorCommandTests
{
    [Fact]
    public void Write_DriftedVersion_VerdictFeaturesAccuracyAndReasons()
    {
        var monitor = new ModelMonitor { Model = "fashion-mlp" };
        var version = new VersionMonitor
        {
            Version = 2,
            Verdict = "DRIFT",
            Requests = 4000,
            Profiled = 500,
            Labels = 200,
            Correct = 150,
            ImagePValue = 0.002,
            ImageDrifted = true,
            PredictionPValue = 0.4,
            Evaluations = 7,
            DriftEvaluations = 3,
        };
        version.Features.Add(new FeatureDriftView { Name = "mean", Psi = 0.8, KsD = 0.4, KsPValue = 1e-9, Drifted = true, ReferenceMean = -0.1, LiveMean = 0.2 });
        version.Features.Add(new FeatureDriftView { Name = "std", Psi = 0.01, KsD = 0.02, KsPValue = 0.9, ReferenceMean = 1, LiveMean = 1 });
        version.Reasons.Add("mean: PSI 0.800 >= 0.1");
        monitor.Versions.Add(version);
        using var output = new StringWriter();

        MonitorCommand.Write(monitor, output, terminal: false);

        var text = output.ToString();
        Assert.Contains("fashion-mlp:2", text, StringComparison.Ordinal);
        Assert.Contains("DRIFT", text, StringComparison.Ordinal);
        Assert.Contains("75.0% of 200 labelled", text.Replace('\u00a0', ' '), StringComparison.Ordinal);
        Assert.Contains("4000 (500 profiled)", text, StringComparison.Ordinal);
        Assert.Contains("7 (3 with drift", text, StringComparison.Ordinal);
        var meanRow = text.Split('\n').Single(l => l.TrimStart().StartsWith("mean ", StringComparison.Ordinal));
        Assert.Contains("0.800", meanRow, StringComparison.Ordinal);
        Assert.EndsWith("DRIFT", meanRow.TrimEnd(), StringComparison.Ordinal);
        Assert.Contains("  - mean: PSI 0.800 >= 0.1", text, StringComparison.Ordinal);
    }
}
