using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MlOps.Contracts;
using MlOps.Coordinator.HighAvailability;
using MlOps.Coordinator.Monitoring;
using MlOps.Monitoring.Profiles;
using MlOps.Monitoring.Serialization;

namespace MlOps.Coordinator.Tests.Monitoring;

/// <summary>
/// The coordinator's drift monitor on synthetic image profiles (seeded): windows from several agents are merged over
/// the evaluation window and judged against the version's reference, with an in-memory reference source standing in
/// for the artifact store.
/// </summary>
public sealed class DriftMonitorTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly InMemoryReferencesForTests _references = new();

    [Fact]
    public async Task Evaluate_SameDistributionFromTwoAgents_NoDriftOverTheMergedWindows()
    {
        var reference = _references.Add("m", 1, Reference(seed: 1));
        var monitor = Monitor();

        await monitor.EvaluateAsync("a1", Window("m", 1, Live(reference, seed: 2, count: 150), reference), CancellationToken.None);
        await monitor.EvaluateAsync("a2", Window("m", 1, Live(reference, seed: 3, count: 150), reference), CancellationToken.None);

        var version = Assert.Single(monitor.Get("m").Versions);
        Assert.Equal("NO_DRIFT", version.Verdict);
        Assert.Equal((300L, 2L, 0L), (version.Profiled, version.Evaluations, version.DriftEvaluations));
        Assert.Equal(8, version.Features.Count);
    }

    [Fact]
    public async Task Evaluate_BrighterImages_DriftWithTheMeanFeatureNamed()
    {
        var reference = _references.Add("m", 1, Reference(seed: 1));
        var monitor = Monitor();

        await monitor.EvaluateAsync("a1", Window("m", 1, Live(reference, seed: 2, count: 300, brightness: 0.3f), reference), CancellationToken.None);

        var version = Assert.Single(monitor.Get("m").Versions);
        Assert.Equal("DRIFT", version.Verdict);
        Assert.Equal(1, version.DriftEvaluations);
        Assert.NotNull(version.LastDriftAt);
        Assert.True(version.Features.Single(f => f.Name == "mean").Drifted);
        Assert.NotEmpty(version.Reasons);
    }

    [Fact]
    public async Task Evaluate_FewSamples_InsufficientDataNotDrift()
    {
        var reference = _references.Add("m", 1, Reference(seed: 1));
        var monitor = Monitor();

        await monitor.EvaluateAsync("a1", Window("m", 1, Live(reference, seed: 2, count: 20, brightness: 0.5f), reference), CancellationToken.None);

        Assert.Equal("INSUFFICIENT_DATA", Assert.Single(monitor.Get("m").Versions).Verdict);
    }

    [Fact]
    public async Task Evaluate_OldWindowsLeaveTheEvaluationWindow()
    {
        var reference = _references.Add("m", 1, Reference(seed: 1));
        var monitor = Monitor();
        await monitor.EvaluateAsync("a1", Window("m", 1, Live(reference, seed: 2, count: 300, brightness: 0.4f), reference), CancellationToken.None);

        _time.Advance(TimeSpan.FromMinutes(10));
        await monitor.EvaluateAsync("a1", Window("m", 1, Live(reference, seed: 3, count: 300), reference), CancellationToken.None);

        var version = Assert.Single(monitor.Get("m").Versions);
        Assert.Equal("NO_DRIFT", version.Verdict);
        Assert.Equal(300, version.Profiled);
        Assert.Equal(1, version.DriftEvaluations);
    }

    [Fact]
    public async Task Evaluate_VersionWithoutReference_NoReferenceWithTheReason()
    {
        var monitor = Monitor();

        await monitor.EvaluateAsync("a1", new ServingWindow { Model = "m", Version = 2, Requests = 10, Start = Now(), End = Now() }, CancellationToken.None);

        var version = Assert.Single(monitor.Get("m").Versions);
        Assert.Equal(DriftMonitor.NoReference, version.Verdict);
        Assert.Contains("no reference profile", Assert.Single(version.Reasons), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluate_WindowBuiltFromAnotherReference_SkippedAndSaid()
    {
        var reference = _references.Add("m", 1, Reference(seed: 1));
        var monitor = Monitor();
        var window = Window("m", 1, Live(reference, seed: 2, count: 300), reference);
        window.ReferenceDigest = "sha256:" + new string('f', 64);

        await monitor.EvaluateAsync("a1", window, CancellationToken.None);

        var version = Assert.Single(monitor.Get("m").Versions);
        Assert.Equal("INSUFFICIENT_DATA", version.Verdict);
        Assert.Contains(version.Reasons, r => r.Contains("skipped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Evaluate_UnreadableProfile_KeptOutAndTheWindowStillCounted()
    {
        var reference = _references.Add("m", 1, Reference(seed: 1));
        var monitor = Monitor();
        var window = Window("m", 1, Live(reference, seed: 2, count: 300), reference);
        window.Profile = ByteString.CopyFromUtf8("{\"format_version\": 99}");

        await monitor.EvaluateAsync("a1", window, CancellationToken.None);

        var version = Assert.Single(monitor.Get("m").Versions);
        Assert.Equal(("INSUFFICIENT_DATA", 300L), (version.Verdict, version.Profiled));
    }

    [Fact]
    public async Task Evaluate_AccuracyBelowThresholdWithEnoughLabels_Alerts()
    {
        var reference = _references.Add("m", 1, Reference(seed: 1));
        var monitor = Monitor(accuracyThreshold: 0.8);
        var window = Window("m", 1, Live(reference, seed: 2, count: 250), reference);
        window.Labels = 40;
        window.Correct = 20;

        await monitor.EvaluateAsync("a1", window, CancellationToken.None);
        Assert.False(Assert.Single(monitor.Get("m").Versions).AccuracyAlert); // 40 labels: too few to judge

        await monitor.EvaluateAsync("a2", window, CancellationToken.None);
        var version = Assert.Single(monitor.Get("m").Versions);
        Assert.True(version.AccuracyAlert);
        Assert.Contains(version.Reasons, r => r.Contains("below the threshold", StringComparison.Ordinal));
        Assert.Equal((80L, 40L), (version.Labels, version.Correct));
    }

    [Fact]
    public async Task Evaluate_ModelWithItsOwnThresholds_OnlyThatModelJudgedByThem()
    {
        var strict = _references.Add("strict", 1, Reference(seed: 1));
        var lenient = _references.Add("lenient", 1, Reference(seed: 1));
        var options = new MonitoringOptions { MmdPermutations = 200 };
        options.Models["lenient"] = new ModelMonitoringOverrides { MinSamples = 1000 };
        var monitor = Monitor(options: options);

        await monitor.EvaluateAsync("a1", Window("strict", 1, Live(strict, seed: 2, count: 300, brightness: 0.3f), strict), CancellationToken.None);
        await monitor.EvaluateAsync("a1", Window("lenient", 1, Live(lenient, seed: 2, count: 300, brightness: 0.3f), lenient), CancellationToken.None);

        Assert.Equal("DRIFT", Assert.Single(monitor.Get("strict").Versions).Verdict);
        Assert.Equal("INSUFFICIENT_DATA", Assert.Single(monitor.Get("lenient").Versions).Verdict);
    }

    [Fact]
    public void Validate_BadPerModelOverride_NamedWithItsModel()
    {
        var options = new MonitoringOptions();
        options.Models["fashion"] = new ModelMonitoringOverrides { AccuracyThreshold = 2, MinLabels = 0 };

        var result = new MonitoringOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("Monitoring:Models:fashion:AccuracyThreshold", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Monitoring:Models:fashion:MinLabels", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Evaluate_DeploymentNamedOtherwise_ComparedWithItsModelsReference()
    {
        var reference = _references.Add("m", 1, Reference(seed: 1));
        var deployments = new InMemoryDeploymentsForTests();
        deployments.Add(new Deployment { Spec = new DeploymentSpec { Name = "web", Model = "m" } });
        var monitor = new DriftMonitor(_references, Options.Create(new MonitoringOptions { MmdPermutations = 200 }), _time, new Leadership(),
            NullLogger<DriftMonitor>.Instance, deployments);

        await monitor.EvaluateAsync("a1", Window("web", 1, Live(reference, seed: 2, count: 300, brightness: 0.3f), reference), CancellationToken.None);

        var version = Assert.Single(monitor.Get("web").Versions);
        Assert.Equal("DRIFT", version.Verdict);
        Assert.Equal(reference.Digest, version.ReferenceDigest);
    }

    [Fact]
    public async Task Metrics_DriftedVersionWithLabelsAndRuns_GaugesCountersAndRunStates()
    {
        var reference = _references.Add("m", 1, Reference(seed: 1));
        var leadership = new Leadership();
        leadership.BecomeLeader();
        var monitor = new DriftMonitor(_references, Options.Create(new MonitoringOptions { MmdPermutations = 200 }), _time, leadership, NullLogger<DriftMonitor>.Instance);
        var window = Window("m", 1, Live(reference, seed: 2, count: 300, brightness: 0.3f), reference);
        window.Labels = 80;
        window.Correct = 60;
        await monitor.EvaluateAsync("a1", window, CancellationToken.None);
        var runs = new InMemoryRetrainingStoreForTests();
        await runs.PutRetrainingRunAsync(new RetrainingRun { Id = "r-1", Model = "m", State = RetrainingRunState.RolledBack }, CancellationToken.None);
        await runs.PutRetrainingRunAsync(new RetrainingRun { Id = "r-2", Model = "m", State = RetrainingRunState.Training }, CancellationToken.None);

        var text = await MlOps.ServiceDefaults.Metrics.MetricsPage.RenderAsync(
            [new MonitoringMetricsSource(monitor, runs, leadership)], CancellationToken.None);
        var page = MlOps.Testing.PrometheusText.Parse(text);

        Assert.Equal(1, Assert.Single(page["mlops_model_drift"].Samples).Value);
        Assert.Equal(1, Assert.Single(page["mlops_model_drift_detected_total"].Samples).Value);
        Assert.Equal(0.75, Assert.Single(page["mlops_model_live_accuracy"].Samples).Value);
        Assert.True(page["mlops_model_feature_psi"].Samples.Single(s => s.Label("feature") == "mean").Value > 0.1);
        Assert.Equal(1, page["mlops_retraining_runs"].Samples.Single(s => s.Label("state") == "rolled_back").Value);
        Assert.Equal(1, page["mlops_retraining_runs"].Samples.Single(s => s.Label("state") == "training").Value);
        Assert.Equal(0, page["mlops_retraining_runs"].Samples.Single(s => s.Label("state") == "promoted").Value);
    }

    private DriftMonitor Monitor(double accuracyThreshold = 0, MonitoringOptions? options = null)
    {
        var leadership = new Leadership();
        options ??= new MonitoringOptions { MmdPermutations = 200, AccuracyThreshold = accuracyThreshold };
        return new DriftMonitor(_references, Options.Create(options), _time, leadership, NullLogger<DriftMonitor>.Instance);
    }

    private Timestamp Now() => Timestamp.FromDateTimeOffset(_time.GetUtcNow());

    private ServingWindow Window(string model, int version, ModelProfile live, ReferenceProfile reference) => new()
    {
        Model = model,
        Version = version,
        Start = Timestamp.FromDateTimeOffset(_time.GetUtcNow() - TimeSpan.FromMinutes(1)),
        End = Now(),
        Requests = live.Inputs.Count * 4,
        Profiled = live.Inputs.Count,
        Profile = ByteString.CopyFrom(ProfileJson.Serialize(live)),
        ReferenceDigest = reference.Digest,
    };

    private static ModelProfile Reference(int seed)
    {
        var random = new Random(seed);
        var images = Enumerable.Range(0, 1000).Select(_ => (ReadOnlyMemory<float>)Image(random, 0f)).ToList();
        var inputs = ImageProfile.CreateReference(images, 28, 28);
        var predictions = new PredictionProfile(10);
        foreach (var _ in images)
        {
            predictions.Add(random.Next(10));
        }

        return new ModelProfile(inputs, predictions);
    }

    private static ModelProfile Live(ReferenceProfile reference, int seed, int count, float brightness = 0f)
    {
        var random = new Random(seed);
        var live = reference.Profile.CreateLike(seed);
        var probabilities = new float[10];
        for (var i = 0; i < count; i++)
        {
            Array.Clear(probabilities);
            probabilities[random.Next(10)] = 1f;
            live.Add(Image(random, brightness), probabilities);
        }

        return live;
    }

    /// <summary>A bright ellipse of random size and intensity on a dark background, normalised like Fashion-MNIST.</summary>
    private static float[] Image(Random random, float brightness)
    {
        var image = new float[28 * 28];
        var (ax, ay, intensity) = (5 + (random.NextDouble() * 6), 5 + (random.NextDouble() * 6), 0.3 + (random.NextDouble() * 0.6));
        for (var r = 0; r < 28; r++)
        {
            for (var c = 0; c < 28; c++)
            {
                var (dx, dy) = ((c - 13.5) / ax, (r - 13.5) / ay);
                var raw = (dx * dx) + (dy * dy) <= 1 ? intensity : random.NextDouble() * 0.03;
                image[(r * 28) + c] = (float)((raw - 0.286) / 0.353) + brightness;
            }
        }

        return image;
    }

    /// <summary>Test double of the artifact-backed reference source: references held in memory.</summary>
    private sealed class InMemoryReferencesForTests : IReferenceProfiles
    {
        private readonly Dictionary<(string, int), ReferenceProfile> _profiles = [];

        public ReferenceProfile Add(string model, int version, ModelProfile profile)
        {
            var reference = new ReferenceProfile(profile, "sha256:" + new string((char)('a' + version), 64));
            _profiles[(model, version)] = reference;
            return reference;
        }

        public Task<ReferenceProfile?> GetAsync(string model, int version, CancellationToken cancellationToken) =>
            Task.FromResult(_profiles.GetValueOrDefault((model, version)));
    }

    /// <summary>Test double of the store's retraining part: runs held in memory.</summary>
    private sealed class InMemoryRetrainingStoreForTests : MlOps.Coordinator.Storage.IRetrainingStore
    {
        private readonly Dictionary<string, RetrainingRun> _runs = [];

        public Task PutRetrainingPolicyAsync(RetrainingPolicy policy, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<RetrainingPolicy?> GetRetrainingPolicyAsync(string model, CancellationToken cancellationToken) => Task.FromResult<RetrainingPolicy?>(null);

        public Task<IReadOnlyList<RetrainingPolicy>> ListRetrainingPoliciesAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<RetrainingPolicy>>([]);

        public Task<bool> DeleteRetrainingPolicyAsync(string model, CancellationToken cancellationToken) => Task.FromResult(false);

        public Task PutRetrainingRunAsync(RetrainingRun run, CancellationToken cancellationToken)
        {
            _runs[run.Id] = run;
            return Task.CompletedTask;
        }

        public Task<RetrainingRun?> GetRetrainingRunAsync(string id, CancellationToken cancellationToken) => Task.FromResult(_runs.GetValueOrDefault(id));

        public Task<IReadOnlyList<RetrainingRun>> ListRetrainingRunsAsync(string? model, int limit, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<RetrainingRun>>([.. _runs.Values.Where(r => string.IsNullOrEmpty(model) || r.Model == model).Take(limit)]);
    }

    /// <summary>Test double of the deployment store: deployments held in memory by name.</summary>
    private sealed class InMemoryDeploymentsForTests : MlOps.Coordinator.Storage.IDeploymentStore
    {
        private readonly Dictionary<string, Deployment> _byName = new(StringComparer.Ordinal);

        public void Add(Deployment deployment) => _byName[deployment.Spec.Name] = deployment;

        public Task<Deployment?> GetDeploymentAsync(string name, CancellationToken cancellationToken) => Task.FromResult(_byName.GetValueOrDefault(name));

        public Task<IReadOnlyList<Deployment>> ListDeploymentsAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<Deployment>>([.. _byName.Values]);

        public Task PutDeploymentAsync(Deployment deployment, CancellationToken cancellationToken)
        {
            Add(deployment);
            return Task.CompletedTask;
        }

        public Task<bool> DeleteDeploymentAsync(string name, CancellationToken cancellationToken) => Task.FromResult(_byName.Remove(name));
    }
}
