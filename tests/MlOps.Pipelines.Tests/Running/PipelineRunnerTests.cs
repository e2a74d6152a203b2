using Microsoft.Extensions.Time.Testing;
using MlOps.Core.Digests;
using MlOps.Pipelines.Caching;
using MlOps.Pipelines.Planning;
using MlOps.Pipelines.Running;
using MlOps.Pipelines.Specs;

namespace MlOps.Pipelines.Tests.Running;

public sealed class PipelineRunnerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(Start);
    private readonly InMemoryStepCache _cache = new();
    private readonly FakeArtifactResolver _resolver = new();
    private readonly FakeStepExecutor _executor;

    public PipelineRunnerTests()
    {
        _executor = new FakeStepExecutor { Clock = _clock };
    }

    [Fact]
    public async Task RunAsync_FirstRun_RunsEveryStepInPlanOrderWithTimings()
    {
        var plan = PipelinePlanner.Plan(PipelineExamples.FashionMnist());
        var observer = new RecordingObserver();

        var run = await Runner(maxParallelism: 1).RunAsync(plan, "run-1", observer).WaitAsync(Timeout);

        Assert.Equal(PipelineRunState.Succeeded, run.State);
        Assert.Equal(plan.Steps.Select(s => s.Name), _executor.Executed);
        Assert.All(run.Steps, s => Assert.Equal(StepRunState.Succeeded, s.State));
        Assert.Equal(Start, run.StartedAt);
        Assert.Equal(Start.AddMinutes(8), run.FinishedAt);
        Assert.Equal((Start.AddMinutes(3), Start.AddMinutes(4)), (run["train"].StartedAt, run["train"].FinishedAt));
        Assert.Equal(run, observer.Records[^1]);
        Assert.Equal(Enumerable.Range(1, observer.Records.Count).Select(i => (long)i), observer.Records.Select(r => r.Sequence));
        Assert.Equal([StepRunState.Pending, StepRunState.Running, StepRunState.Succeeded], observer.StatesOf("train"));

        // Outputs flow into the next step's inputs; literal references are resolved first.
        var train = _executor.Executions.Single(e => e.Step.Name == "train");
        Assert.Equal(run["prepare"].Outputs["dataset"], train.Inputs["data"]);
        Assert.Equal(train.Inputs, run["train"].Inputs);
        var report = _executor.Executions.Single(e => e.Step.Name == "report");
        Assert.Equal("artifact:pipelines/fashion-report@1", report.Code!.Reference);
        Assert.Equal(StepCacheKey.CommandCodeVersion(report.Step.Params, report.Code.Digest), report.CodeVersion);
        Assert.Equal("fake-agent/1.0 train", train.CodeVersion);
        Assert.Equal(run["train"].CacheKey, train.CacheKey);
    }

    [Fact]
    public async Task RunAsync_SecondRunUnchanged_EveryCacheableStepIsCached()
    {
        var plan = PipelinePlanner.Plan(PipelineExamples.FashionMnist());
        var first = await Runner().RunAsync(plan, "run-1").WaitAsync(Timeout);
        var executedBefore = _executor.Executions.Count;

        var second = await Runner().RunAsync(PipelinePlanner.Plan(PipelineExamples.FashionMnist()), "run-2").WaitAsync(Timeout);

        Assert.Equal(PipelineRunState.Succeeded, second.State);
        // deploy says cache: false, so it is the only step that runs again.
        Assert.Equal(["deploy"], _executor.Executed.Skip(executedBefore));
        foreach (var step in second.Steps.Where(s => s.Name != "deploy"))
        {
            Assert.Equal(StepRunState.Cached, step.State);
            Assert.Equal(first[step.Name].CacheKey, step.CacheKey);
            Assert.Equal(first[step.Name].Outputs, step.Outputs);
            Assert.Equal(step.StartedAt, step.FinishedAt);
        }

        Assert.Equal(StepRunState.Succeeded, second["deploy"].State);
    }

    [Fact]
    public async Task RunAsync_ParameterChanged_RerunsTheAffectedStepAndWhatFollowsOnly()
    {
        var spec = PipelineExamples.FashionMnist();
        await Runner().RunAsync(PipelinePlanner.Plan(spec), "run-1").WaitAsync(Timeout);
        var executedBefore = _executor.Executions.Count;

        var run = await Runner().RunAsync(PipelinePlanner.Plan(spec, new Dictionary<string, string> { ["epochs"] = "20" }), "run-2").WaitAsync(Timeout);

        Assert.Equal(["deploy", "evaluate", "register", "report", "train"], _executor.Executed.Skip(executedBefore).Order(StringComparer.Ordinal));
        Assert.Equal(
            ["ingest", "validate", "prepare"],
            run.Steps.Where(s => s.State == StepRunState.Cached).Select(s => s.Name));
        Assert.Equal("20", run.Parameters["epochs"]);
    }

    [Fact]
    public async Task RunAsync_ParameterOfMiddleStepChanged_IndependentStepStaysCached()
    {
        var spec = PipelineYaml.Parse(PipelineExamples.Chain);
        await Runner().RunAsync(PipelinePlanner.Plan(spec), "run-1").WaitAsync(Timeout);
        var executedBefore = _executor.Executions.Count;

        var run = await Runner().RunAsync(PipelinePlanner.Plan(spec, new Dictionary<string, string> { ["b_flag"] = "two" }), "run-2").WaitAsync(Timeout);

        Assert.Equal(["b", "c"], _executor.Executed.Skip(executedBefore).Order(StringComparer.Ordinal));
        Assert.Equal(
            [("a", StepRunState.Cached), ("b", StepRunState.Succeeded), ("c", StepRunState.Succeeded), ("d", StepRunState.Cached)],
            run.Steps.Select(s => (s.Name, s.State)));
    }

    [Fact]
    public async Task RunAsync_FloatingReferenceMovesToNewContent_RerunsItsConsumers()
    {
        var spec = PipelineYaml.Parse(PipelineExamples.With("""
              - name: check
                kind: validate
                inputs: { data: "dataset:fashion-mnist" }
                outputs: [report]
              - name: other
                kind: command
                outputs: [out]
                params: { command: [x] }
            """));
        await Runner().RunAsync(PipelinePlanner.Plan(spec), "run-1").WaitAsync(Timeout);
        _resolver.Digests["dataset:fashion-mnist"] = Sha256Digest.OfBytes("version 2"u8);

        var run = await Runner().RunAsync(PipelinePlanner.Plan(spec), "run-2").WaitAsync(Timeout);

        Assert.Equal((StepRunState.Succeeded, StepRunState.Cached), (run["check"].State, run["other"].State));
        Assert.Equal(_resolver.Digests["dataset:fashion-mnist"], run["check"].Inputs["data"].Digest);
    }

    [Fact]
    public async Task RunAsync_CodeArtifactChanged_RerunsTheCommandStep()
    {
        var plan = PipelinePlanner.Plan(PipelineExamples.FashionMnist());
        var first = await Runner().RunAsync(plan, "run-1").WaitAsync(Timeout);
        _resolver.Digests["artifact:pipelines/fashion-report@1"] = Sha256Digest.OfBytes("fixed the script"u8);

        var run = await Runner().RunAsync(plan, "run-2").WaitAsync(Timeout);

        Assert.Equal(StepRunState.Succeeded, run["report"].State);
        Assert.NotEqual(first["report"].CacheKey, run["report"].CacheKey);
        Assert.Equal(StepRunState.Cached, run["register"].State);
    }

    [Fact]
    public async Task RunAsync_StepFails_RunFailsAndDownstreamIsSkippedWithReason()
    {
        _executor.Failures["prepare"] = "out of disk";
        var plan = PipelinePlanner.Plan(PipelineExamples.FashionMnist());

        var run = await Runner().RunAsync(plan, "run-1").WaitAsync(Timeout);

        Assert.Equal(PipelineRunState.Failed, run.State);
        Assert.Equal("step 'prepare' failed: out of disk", run.Error);
        Assert.Equal((StepRunState.Failed, "out of disk"), (run["prepare"].State, run["prepare"].Error));
        Assert.NotNull(run["prepare"].FinishedAt);
        foreach (var name in plan.Downstream("prepare"))
        {
            Assert.Equal((StepRunState.Skipped, "upstream step 'prepare' failed"), (run[name].State, run[name].Reason));
        }

        Assert.Equal(StepRunState.Succeeded, run["validate"].State);
        Assert.DoesNotContain("train", _executor.Executed);
    }

    [Fact]
    public async Task RunAsync_FailFast_IndependentStepNotStarted()
    {
        _executor.Failures["b"] = "boom";
        var plan = PipelinePlanner.Plan(PipelineYaml.Parse(PipelineExamples.Chain));

        var run = await Runner(maxParallelism: 1).RunAsync(plan, "run-1").WaitAsync(Timeout);

        Assert.Equal(
            [("a", StepRunState.Succeeded), ("b", StepRunState.Failed), ("c", StepRunState.Skipped), ("d", StepRunState.Skipped)],
            run.Steps.Select(s => (s.Name, s.State)));
        Assert.Equal("upstream step 'b' failed", run["c"].Reason);
        Assert.Equal("not started: step 'b' failed", run["d"].Reason);
    }

    [Fact]
    public async Task RunAsync_NoFailFast_IndependentStepsStillRun()
    {
        _executor.Failures["b"] = "boom";
        var plan = PipelinePlanner.Plan(PipelineYaml.Parse(PipelineExamples.Chain));

        var run = await Runner(maxParallelism: 1, failFast: false).RunAsync(plan, "run-1").WaitAsync(Timeout);

        Assert.Equal(PipelineRunState.Failed, run.State);
        Assert.Equal(
            [("a", StepRunState.Succeeded), ("b", StepRunState.Failed), ("c", StepRunState.Skipped), ("d", StepRunState.Succeeded)],
            run.Steps.Select(s => (s.Name, s.State)));
    }

    [Fact]
    public async Task RunAsync_AfterAFailureIsFixed_OnlyTheFailedPartRuns()
    {
        _executor.Failures["b"] = "boom";
        var plan = PipelinePlanner.Plan(PipelineYaml.Parse(PipelineExamples.Chain));
        await Runner(failFast: false).RunAsync(plan, "run-1").WaitAsync(Timeout);
        _executor.Failures.Clear();
        var executedBefore = _executor.Executions.Count;

        var run = await Runner().RunAsync(plan, "run-2").WaitAsync(Timeout);

        Assert.Equal(PipelineRunState.Succeeded, run.State);
        Assert.Equal(["b", "c"], _executor.Executed.Skip(executedBefore).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RunAsync_UnresolvableInput_StepFailsNamingTheInput()
    {
        _resolver.Missing["dataset:gone@1"] = "no such dataset version";
        var spec = PipelineYaml.Parse(PipelineExamples.With("""
              - name: check
                kind: validate
                inputs: { data: "dataset:gone@1" }
            """));

        var run = await Runner().RunAsync(PipelinePlanner.Plan(spec), "run-1").WaitAsync(Timeout);

        Assert.Equal(StepRunState.Failed, run["check"].State);
        Assert.Equal("input 'data' (dataset:gone@1) cannot be resolved: no such dataset version", run["check"].Error);
        Assert.Null(run["check"].StartedAt);
        Assert.Empty(_executor.Executions);
    }

    [Fact]
    public async Task RunAsync_ExecutorLeavesOutAnOutput_StepFailsAndNothingIsCached()
    {
        _executor.Omit["a"] = "out";
        var plan = PipelinePlanner.Plan(PipelineYaml.Parse(PipelineExamples.Chain));

        var run = await Runner().RunAsync(plan, "run-1").WaitAsync(Timeout);

        Assert.Equal("the step did not produce the declared output(s) out", run["a"].Error);
        Assert.Equal(1, _cache.Count); // d only
    }

    [Fact]
    public async Task RunAsync_CacheOff_RunsEveryStepAndRefreshesTheCache()
    {
        var plan = PipelinePlanner.Plan(PipelineYaml.Parse(PipelineExamples.Chain));
        await Runner().RunAsync(plan, "run-1").WaitAsync(Timeout);
        _executor.Executions.Clear();

        var run = await Runner(useCache: false).RunAsync(plan, "run-2").WaitAsync(Timeout);

        Assert.Equal(["a", "b", "c", "d"], _executor.Executed.Order(StringComparer.Ordinal));
        Assert.All(run.Steps, s => Assert.Equal(StepRunState.Succeeded, s.State));
        Assert.Equal(4, _cache.Count);
    }

    [Fact]
    public async Task RunAsync_CachedEntryLacksAnOutput_TreatedAsAMiss()
    {
        var plan = PipelinePlanner.Plan(PipelineYaml.Parse(PipelineExamples.Chain));
        var first = await Runner().RunAsync(plan, "run-1").WaitAsync(Timeout);
        await _cache.PutAsync(first["d"].CacheKey!, new Dictionary<string, ResolvedArtifact>(), CancellationToken.None);

        var run = await Runner().RunAsync(plan, "run-2").WaitAsync(Timeout);

        Assert.Equal(StepRunState.Succeeded, run["d"].State);
        Assert.Equal(first["d"].Outputs, run["d"].Outputs);
    }

    [Fact]
    public async Task RunAsync_MaxParallelism_NeverExceeded()
    {
        foreach (var i in Enumerable.Range(0, 6))
        {
            _executor.Held[$"s{i}"] = true;
        }

        var plan = PipelinePlanner.Plan(PipelineYaml.Parse(PipelineExamples.Independent(6)));
        var running = Runner(maxParallelism: 2).RunAsync(plan, "run-1");

        for (var i = 0; i < 6; i++)
        {
            Assert.True(await _executor.Started.WaitAsync(Timeout), $"step s{i} did not start");
            if (i % 2 == 1)
            {
                // Two are running: let both go; nothing else may have started meanwhile.
                Assert.Equal(i + 1, _executor.Executions.Count);
                _executor.Release($"s{i - 1}");
                _executor.Release($"s{i}");
            }
        }

        var run = await running.WaitAsync(Timeout);
        Assert.Equal(PipelineRunState.Succeeded, run.State);
        Assert.Equal(2, _executor.MaxConcurrent);
        // Started in plan order as slots freed up.
        Assert.Equal(["s0", "s1", "s2", "s3", "s4", "s5"], _executor.Executed.Chunk(2).SelectMany(pair => pair.Order(StringComparer.Ordinal)));
    }

    [Fact]
    public async Task RunAsync_IndependentSteps_RunConcurrently()
    {
        _executor.Held["s0"] = true;
        _executor.Held["s1"] = true;
        var plan = PipelinePlanner.Plan(PipelineYaml.Parse(PipelineExamples.Independent(2)));
        var running = Runner(maxParallelism: 4).RunAsync(plan, "run-1");

        Assert.True(await _executor.Started.WaitAsync(Timeout));
        Assert.True(await _executor.Started.WaitAsync(Timeout));
        _executor.Release("s0");
        _executor.Release("s1");

        Assert.Equal(PipelineRunState.Succeeded, (await running.WaitAsync(Timeout)).State);
        Assert.Equal(2, _executor.MaxConcurrent);
    }

    [Fact]
    public async Task RunAsync_Cancelled_RunningStepCancelledRestSkipped()
    {
        _executor.Held["b"] = true;
        var plan = PipelinePlanner.Plan(PipelineYaml.Parse(PipelineExamples.Chain));
        using var cancellation = new CancellationTokenSource();
        var observer = new RecordingObserver();
        var running = Runner(maxParallelism: 1).RunAsync(plan, "run-1", observer, cancellation.Token);

        Assert.True(await _executor.Started.WaitAsync(Timeout)); // a
        Assert.True(await _executor.Started.WaitAsync(Timeout)); // b, held
        await cancellation.CancelAsync();
        var run = await running.WaitAsync(Timeout);

        Assert.Equal(PipelineRunState.Cancelled, run.State);
        Assert.Equal("the run was cancelled", run.Error);
        Assert.Equal(
            [("a", StepRunState.Succeeded), ("b", StepRunState.Cancelled), ("c", StepRunState.Skipped), ("d", StepRunState.Skipped)],
            run.Steps.Select(s => (s.Name, s.State)));
        Assert.Equal("not started: the run was cancelled", run["c"].Reason);
        Assert.Equal(["a", "b"], _executor.Executed);
        Assert.Equal(run, observer.Records[^1]);
    }

    [Fact]
    public async Task RunAsync_CancelledBeforeStart_NothingRuns()
    {
        var plan = PipelinePlanner.Plan(PipelineYaml.Parse(PipelineExamples.Chain));

        var run = await Runner().RunAsync(plan, "run-1", cancellationToken: new CancellationToken(canceled: true)).WaitAsync(Timeout);

        Assert.Equal(PipelineRunState.Cancelled, run.State);
        Assert.All(run.Steps, s => Assert.Equal(StepRunState.Skipped, s.State));
        Assert.Empty(_executor.Executions);
    }

    [Fact]
    public async Task RunAsync_ObserverFails_RunStopsAndTheErrorSurfaces()
    {
        _executor.Held["b"] = true;
        var plan = PipelinePlanner.Plan(PipelineYaml.Parse(PipelineExamples.Chain));
        var observer = new RecordingObserver
        {
            FailWith = r => r["b"].State == StepRunState.Running ? new IOException("database is locked") : null,
        };

        var ex = await Assert.ThrowsAsync<IOException>(() => Runner(maxParallelism: 1).RunAsync(plan, "run-1", observer).WaitAsync(Timeout));

        Assert.Equal("database is locked", ex.Message);
        Assert.Equal(["a", "b"], _executor.Executed);
    }

    [Fact]
    public void Constructor_InvalidOptions_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Runner(maxParallelism: 0));

        Assert.Contains("MaxParallelism must be from 1 to 256, got 0", ex.Message);
    }

    private PipelineRunner Runner(int maxParallelism = 4, bool useCache = true, bool failFast = true) =>
        new(_executor, _cache, _resolver, _clock, new PipelineRunnerOptions { MaxParallelism = maxParallelism, UseCache = useCache, FailFast = failFast });
}
