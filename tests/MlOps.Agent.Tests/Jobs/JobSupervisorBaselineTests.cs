using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Agent.Jobs;
using MlOps.Agent.Options;
using MlOps.Artifacts;
using MlOps.Artifacts.Configuration;
using MlOps.Artifacts.Models;
using MlOps.Contracts;
using MlOps.Core.Jobs;
using MlOps.Testing;

namespace MlOps.Agent.Tests.Jobs;

/// <summary>The baseline comparison (issue #7) through the supervisor, the artifact store and the real training child.</summary>
[Trait("Category", "Integration")]
public sealed class JobSupervisorBaselineTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly TempDirectory _temp = new("mlops-supervisor-baseline");
    private readonly IArtifactStore _store;
    private readonly RecordingOutbox _outbox = new();

    public JobSupervisorBaselineTests() => _store = ArtifactStoreFactory.CreateLayout(_temp.Combine("store"));

    [Fact]
    public async Task Start_WithBaseline_PullsItAndReportsThePairedComparison()
    {
        TinyMnistDataset.Write(_temp.Combine("data"), 300, 120);
        await using var supervisor = Supervisor();
        var first = Assignment("j-base", hidden: 16);
        first.ModelRepository = "models/tiny";
        supervisor.Start(first);
        var published = await CompletedAsync("j-base");
        Assert.True(published.Outcome == JobOutcome.Succeeded, Describe(published));

        var second = Assignment("j-cand", hidden: 8);
        second.Baseline = new BaselineArtifact
        {
            Model = "tiny",
            Version = 4,
            Repository = "models/tiny",
            ManifestDigest = published.Result.ModelManifestDigest,
            OnnxDigest = published.Result.OnnxDigest,
        };
        supervisor.Start(second);
        var completed = await CompletedAsync("j-cand");

        Assert.True(completed.Outcome == JobOutcome.Succeeded, Describe(completed));
        var baselineDirectory = _temp.Combine("agent", "jobs", "j-cand", "attempt-1", "baseline");
        Assert.Equal(published.Result.OnnxDigest, MlOps.Core.Digests.Sha256Digest.OfFile(Path.Combine(baselineDirectory, ModelArtifact.OnnxFileName)));
        var metrics = completed.Result.Metrics;
        Assert.Equal(120, metrics[ComparisonMetrics.Samples]);
        Assert.Equal(4, metrics[ComparisonMetrics.BaselineVersion]);
        var candidateCorrect = Math.Round(metrics[ComparisonMetrics.CandidateAccuracy] * 120);
        var baselineCorrect = Math.Round(metrics[ComparisonMetrics.BaselineAccuracy] * 120);
        Assert.Equal(candidateCorrect - baselineCorrect, metrics[ComparisonMetrics.CandidateOnlyCorrect] - metrics[ComparisonMetrics.BaselineOnlyCorrect]);
        Assert.InRange(metrics[ComparisonMetrics.McNemarPValue], 0, 1);
        // ONNX Runtime on the exported model agrees with TorchSharp's own test evaluation (up to a near-tie).
        Assert.Equal(metrics[MlOps.Training.TrainingMetrics.TestAccuracy], metrics[ComparisonMetrics.CandidateAccuracy], 1.01 / 120);
        Assert.Contains(_outbox.LogLines, l => l.StartsWith("compared with tiny v4 on 120 test images: candidate ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_BaselineMissingFromTheStore_TrainsWithoutTheComparisonAndSaysWhy()
    {
        TinyMnistDataset.Write(_temp.Combine("data"), 300, 60);
        await using var supervisor = Supervisor();
        var assignment = Assignment("j-nobase", hidden: 8);
        assignment.Baseline = new BaselineArtifact { Model = "tiny", Version = 2, Repository = "models/tiny", ManifestDigest = "sha256:" + new string('e', 64) };

        supervisor.Start(assignment);
        var completed = await CompletedAsync("j-nobase");

        Assert.True(completed.Outcome == JobOutcome.Succeeded, Describe(completed));
        Assert.Contains(_outbox.LogLines, l => l.StartsWith("could not fetch baseline tiny v2 (models/tiny@sha256:eeee", StringComparison.Ordinal)
            && l.EndsWith("; training without the comparison", StringComparison.Ordinal));
        Assert.DoesNotContain(completed.Result.Metrics.Keys, k => k.StartsWith("compare_", StringComparison.Ordinal));
        Assert.DoesNotContain(_outbox.LogLines, l => l.StartsWith("compared with", StringComparison.Ordinal));
    }

    public void Dispose() => _temp.Dispose();

    private JobSupervisor Supervisor()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new AgentOptions { DataDirectory = _temp.Combine("agent") });
        var ledger = new AttemptLedger(_temp.Combine("agent"), TimeProvider.System, NullLogger<AttemptLedger>.Instance);
        return new JobSupervisor(_outbox, options, _store, ledger, TimeProvider.System, NullLogger<JobSupervisor>.Instance);
    }

    private JobAssignment Assignment(string jobId, int hidden)
    {
        var assignment = TinyAssignments.Mlp(jobId, _temp.Combine("data"), epochs: 1, hidden: hidden);
        assignment.Checkpoint = new CheckpointPolicy { Disabled = true };
        return assignment;
    }

    private async Task<JobCompleted> CompletedAsync(string jobId)
    {
        await TinyAssignments.WaitForAsync(() => _outbox.Messages.Any(m => m.Completed?.JobId == jobId), Patience);
        return _outbox.Messages.First(m => m.Completed?.JobId == jobId).Completed;
    }

    private string Describe(JobCompleted completed) => $"{completed.Outcome}: {completed.Message}\n{string.Join('\n', _outbox.LogLines)}";
}
