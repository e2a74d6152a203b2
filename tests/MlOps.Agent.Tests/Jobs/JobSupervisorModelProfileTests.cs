using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Agent.Jobs;
using MlOps.Agent.Options;
using MlOps.Agent.Serving;
using MlOps.Artifacts;
using MlOps.Artifacts.Configuration;
using MlOps.Artifacts.Manifests;
using MlOps.Artifacts.Models;
using MlOps.Contracts;
using MlOps.Core.Digests;
using MlOps.Monitoring.Serialization;
using MlOps.Serving.Monitoring;
using MlOps.Testing;

namespace MlOps.Agent.Tests.Jobs;

/// <summary>The reference profile (issue #7) through the real training child, the publisher and the serving cache.</summary>
[Trait("Category", "Integration")]
public sealed class JobSupervisorModelProfileTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly TempDirectory _temp = new("mlops-supervisor-profile");
    private readonly IArtifactStore _store;
    private readonly RecordingOutbox _outbox = new();

    public JobSupervisorModelProfileTests() => _store = ArtifactStoreFactory.CreateLayout(_temp.Combine("store"));

    [Fact]
    public async Task Start_ModelTrained_WritesTestSetProfileAndPublishesItAsALayer()
    {
        TinyMnistDataset.Write(_temp.Combine("data"), 300, 120);
        await using var supervisor = Supervisor();

        supervisor.Start(Assignment());
        await WaitForAsync(() => _outbox.Messages.Any(m => m.Completed is not null));
        var completed = _outbox.Messages.First(m => m.Completed is not null).Completed;

        Assert.True(completed.Outcome == JobOutcome.Succeeded, $"{completed.Outcome}: {completed.Message}\n{string.Join('\n', _outbox.LogLines)}");
        var written = _temp.Combine("agent", "jobs", "j-profile", "attempt-1", "output", LiveProfiler.FileName);
        var profile = ProfileJson.ReadModelProfile(File.ReadAllBytes(written));
        Assert.Equal(120, profile.Inputs.Count);
        Assert.Equal(120, profile.Predictions.Total);
        Assert.Equal((28, 28, 10), (profile.Inputs.Height, profile.Inputs.Width, profile.Predictions.ClassCount));
        // The profile describes the tensors the model receives: pixels normalised as in training.
        var test = MlOps.Core.Datasets.MnistFormat.Load(_temp.Combine("data")).Test;
        var expectedMean = test.Pixels.Take(120 * 784).Average(p => ((p / 255.0) - MlOps.Training.ImageNormalization.Mean) / MlOps.Training.ImageNormalization.Std);
        Assert.Equal("mean", profile.Inputs.Features[0].Name);
        Assert.Equal(expectedMean, profile.Inputs.Features[0].Moments.Mean, 1e-4);
        var digest = Sha256Digest.OfFile(written);
        Assert.Contains(_outbox.LogLines, l => l.StartsWith("reference profile: 120 test samples", StringComparison.Ordinal) && l.Contains(digest));

        var (_, manifest, _) = await _store.ReadModelAsync("models/tiny", completed.Result.ModelManifestDigest);
        var layer = Assert.Single(manifest.Layers, l => l.MediaType == OciMediaTypes.Profile);
        Assert.Equal(digest, layer.Digest);

        var served = await new ModelCache(_store, _temp.Combine("cache")).EnsureAsync("models/tiny", completed.Result.ModelManifestDigest, CancellationToken.None);
        Assert.True(File.Exists(Path.Combine(served, ModelArtifact.OnnxFileName)));
        Assert.Equal(digest, Sha256Digest.OfFile(Path.Combine(served, LiveProfiler.FileName)));
    }

    public void Dispose() => _temp.Dispose();

    private JobSupervisor Supervisor()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new AgentOptions { DataDirectory = _temp.Combine("agent") });
        var ledger = new AttemptLedger(_temp.Combine("agent"), TimeProvider.System, NullLogger<AttemptLedger>.Instance);
        return new JobSupervisor(_outbox, options, _store, ledger, TimeProvider.System, NullLogger<JobSupervisor>.Instance);
    }

    private JobAssignment Assignment()
    {
        var assignment = TinyAssignments.Mlp("j-profile", _temp.Combine("data"), epochs: 1, hidden: 16);
        assignment.ModelRepository = "models/tiny";
        assignment.Checkpoint = new CheckpointPolicy { Disabled = true };
        return assignment;
    }

    private static Task WaitForAsync(Func<bool> condition) => TinyAssignments.WaitForAsync(condition, Patience);
}
