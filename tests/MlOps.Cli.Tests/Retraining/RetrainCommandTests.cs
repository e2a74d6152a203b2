using System.Text.Json;
using System.Text.RegularExpressions;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;
using MlOps.Cli.Tests.Fakes;
using MlOps.Contracts;
using static MlOps.Cli.Tests.Fakes.RetrainingFixtures;

namespace MlOps.Cli.Tests.Retraining;

/// <summary><c>mlops retrain policy|now|runs|show</c> against the fake coordinator's RetrainingService.</summary>
public sealed class RetrainCommandTests : IAsyncLifetime
{
    private FakeCoordinatorForCliTests _server = null!;

    public async Task InitializeAsync() => _server = await FakeCoordinatorForCliTests.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task PolicySet_Flags_SendsThemAndPrintsTheStoredPolicy()
    {
        var result = await Cli("retrain", "policy", "set", "fashion", "--on-drift", "--accuracy-below", "0.8", "--every", "1d",
            "--canary-percent", "20", "--canary-duration", "15m", "--significance", "0.05", "--cooldown", "2h", "--epochs", "12");

        Assert.True(result.ExitCode == 0, result.ToString());
        var sent = Assert.Single(_server.Retraining.PoliciesSet).Policy;
        Assert.Equal("fashion", sent.Model);
        Assert.Equal(new RetrainingTriggers { OnDrift = true, AccuracyBelow = 0.8, Every = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromDays(1)) },
            sent.Triggers);
        Assert.Equal(20, sent.CanaryPercent);
        Assert.Equal(TimeSpan.FromMinutes(15), sent.CanaryDuration.ToTimeSpan());
        Assert.Equal(0.05, sent.Significance);
        Assert.Equal(TimeSpan.FromHours(2), sent.Cooldown.ToTimeSpan());
        Assert.Equal(new HyperParameters { Epochs = 12 }, sent.HyperParameters);
        Assert.Equal("", sent.Deployment);
        Assert.Equal(0, sent.MinImprovement);

        var lines = result.OutLines;
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^model:\s+fashion$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^triggers:\s+drift, accuracy < 0\.8, every 1d$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^canary:\s+20% for 15m$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^cooldown:\s+2h$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^hyperparameters:\s+epochs=12$"));
        Assert.Equal("", result.Error);
    }

    [Fact]
    public async Task PolicySet_NoTrigger_NotesThatOnlyManualRunsStart()
    {
        var result = await Cli("retrain", "policy", "set", "fashion");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("no trigger set: only 'mlops retrain now fashion' starts a run", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolicySet_ServerInvalidArgument_ExitsTwoWithTheField()
    {
        _server.Retraining.SetPolicyError = new Status(StatusCode.InvalidArgument, "policy.deployment: deployment fashion-prod serves model shoes, not fashion");

        var result = await Cli("retrain", "policy", "set", "fashion", "--deployment", "fashion-prod", "--on-drift");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("error: policy.deployment: deployment fashion-prod serves model shoes, not fashion", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolicySet_ServerNotFound_ExitsThree()
    {
        _server.Retraining.SetPolicyError = new Status(StatusCode.NotFound, "model fashion not found");

        var result = await Cli("retrain", "policy", "set", "fashion", "--on-drift");

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Contains("error: model fashion not found", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolicySetJson_PrintsThePolicyAsProtoJson()
    {
        var result = await Cli("retrain", "policy", "set", "fashion", "--on-new-data", "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal("fashion", json.RootElement.GetProperty("model").GetString());
        Assert.True(json.RootElement.GetProperty("triggers").GetProperty("onNewDatasetVersion").GetBoolean());
    }

    [Fact]
    public async Task PolicyShowLsRm_StoredPolicy_RoundTrip()
    {
        _server.Retraining.Set(new RetrainingPolicy { Model = "fashion", Triggers = new RetrainingTriggers { OnDrift = true }, CanaryPercent = 5 });
        _server.Retraining.Set(new RetrainingPolicy { Model = "shoes", Paused = true });

        var show = await Cli("retrain", "policy", "show", "fashion");
        var list = await Cli("retrain", "policy", "ls");
        var removed = await Cli("retrain", "policy", "rm", "shoes");
        var gone = await Cli("retrain", "policy", "show", "shoes");

        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Contains(show.OutLines, l => Regex.IsMatch(l, @"^canary:\s+5% for 10m \(default\)$"));
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Matches(@"^MODEL\s+DEPLOYMENT\s+TRIGGERS\s+CANARY\s+COOLDOWN\s+ALIAS\s+PAUSED\s+UPDATED$", list.OutLines[0]);
        Assert.Matches(@"^fashion\s+fashion\s+drift\s+5% for 10m\s+1h\s+production\s+no\s+-$", list.OutLines[1]);
        Assert.Matches(@"^shoes\s+.*manual only\s+.*\s+yes\s+-$", list.OutLines[2]);
        Assert.True(removed.ExitCode == 0, removed.ToString());
        Assert.Equal("removed the retraining policy of shoes\n", removed.Out);
        Assert.Equal("shoes", Assert.Single(_server.Retraining.PoliciesDeleted).Model);
        Assert.Equal(ExitCodes.NotFound, gone.ExitCode);
        Assert.Contains("error: model shoes has no retraining policy", gone.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolicyLs_None_SaysSoOnStderr()
    {
        var result = await Cli("retrain", "policy", "ls");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", result.Out);
        Assert.Contains("no retraining policies yet", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolicyLsJson_Policies_ListResponse()
    {
        _server.Retraining.Set(new RetrainingPolicy { Model = "fashion" });

        var result = await Cli("retrain", "policy", "ls", "-o", "json");

        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal("fashion", json.RootElement.GetProperty("policies")[0].GetProperty("model").GetString());
    }

    [Fact]
    public async Task Now_Policy_PrintsTheRunIdAndItsFirstDecision()
    {
        _server.Retraining.Set(new RetrainingPolicy { Model = "fashion" });

        var result = await Cli("retrain", "now", "fashion", "--reason", "new labels arrived");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("rr-1\n", result.Out);
        var sent = Assert.Single(_server.Retraining.Triggers);
        Assert.Equal(("fashion", "new labels arrived"), (sent.Model, sent.Reason));
        Assert.Contains("retraining fashion: run rr-1 is TRAINING", result.Error, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d  trigger   manual trigger by tester: new labels arrived$", result.Error);
        Assert.Matches(@"(?m)^    reason: new labels arrived$", result.Error);
        Assert.Contains("follow it with: mlops retrain show rr-1 --watch", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Now_RunStillActive_FailedPreconditionExitsFive()
    {
        _server.Retraining.Set(new RetrainingPolicy { Model = "fashion" });
        _server.Retraining.Set(Run("rr-9", "fashion", RetrainingRunState.Canary, "drift"));

        var result = await Cli("retrain", "now", "fashion");

        Assert.Equal(ExitCodes.Error, result.ExitCode);
        Assert.Contains("error: model fashion has an active retraining run rr-9", result.Error, StringComparison.Ordinal);
        Assert.Contains("(FAILED_PRECONDITION)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Now_NoPolicy_ExitsThree()
    {
        var result = await Cli("retrain", "now", "fashion");

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
    }

    [Fact]
    public async Task Runs_ModelAndLimit_SentAndTabled()
    {
        _server.Retraining.Set(Promotion("rr-1", "fashion")[^1]);
        _server.Retraining.Set(Run("rr-2", "shoes", RetrainingRunState.Failed, "schedule"));
        _server.Retraining.Set(Run("rr-3", "fashion", RetrainingRunState.Training, "manual"));

        var result = await Cli("retrain", "runs", "fashion", "--limit", "5");

        Assert.True(result.ExitCode == 0, result.ToString());
        var sent = Assert.Single(_server.Retraining.RunLists);
        Assert.Equal(("fashion", 5), (sent.Model, sent.Limit));
        Assert.Equal(3, result.OutLines.Length);
        Assert.Matches(@"^rr-3\s+fashion\s+TRAINING\s+manual\s+v2 -> -\s+-\s+-\s+\d+d ago$", result.OutLines[1]);
        Assert.Matches(@"^rr-1\s+fashion\s+PROMOTED\s+drift\s+v2 -> v3\s+job-12\s+0\.845 vs 0\.791 \(p=1e-07\)\s+\d+d ago$", result.OutLines[2]);
    }

    [Fact]
    public async Task Runs_NoneAndNoModel_EveryModelAndANote()
    {
        var result = await Cli("retrain", "runs");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(("", 0), (Assert.Single(_server.Retraining.RunLists).Model, _server.Retraining.RunLists.Single().Limit));
        Assert.Contains("no retraining runs yet", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_Promoted_RunThenEveryDecisionWithEvidence()
    {
        _server.Retraining.Set(Promotion("rr-1", "fashion")[^1]);

        var result = await Cli("retrain", "show", "rr-1");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.OutLines;
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^state:\s+PROMOTED$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^evaluation:\s+0\.845 vs 0\.791 \(p=1e-07\): better$"));
        var timeline = lines.SkipWhile(l => l != "decisions:").Skip(1).ToArray();
        Assert.Equal(["trigger", "submit", "evaluate", "canary", "promote"],
            timeline.Where(l => !l.StartsWith(' ')).Select(l => Regex.Match(l, @"^\S+ \S+  (\S+)").Groups[1].Value));
        Assert.Contains("    candidate_accuracy:  0.8450", timeline);
        Assert.Contains("    p_value:             1e-07", timeline);
    }

    [Fact]
    public async Task Show_Failed_ExitsOne()
    {
        var failed = Run("rr-4", "fashion", RetrainingRunState.Failed, "drift", Decision(3, "fail", "job job-12 failed: out of memory"));
        failed.Message = "job job-12 failed: out of memory";
        _server.Retraining.Set(failed);

        var result = await Cli("retrain", "show", "rr-4");

        Assert.Equal(ExitCodes.JobFailed, result.ExitCode);
        Assert.Contains(result.OutLines, l => Regex.IsMatch(l, @"^message:\s+job job-12 failed: out of memory$"));
    }

    [Fact]
    public async Task Show_UnknownRun_ExitsThree()
    {
        var result = await Cli("retrain", "show", "rr-404");

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Contains("error: retraining run rr-404 not found", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ShowJson_Run_ProtoJson()
    {
        _server.Retraining.Set(Promotion("rr-1", "fashion")[^1]);

        var result = await Cli("retrain", "show", "rr-1", "-o", "json");

        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal("RETRAINING_RUN_STATE_PROMOTED", json.RootElement.GetProperty("state").GetString());
        Assert.Equal(5, json.RootElement.GetProperty("decisions").GetArrayLength());
    }

    [Fact]
    public async Task ShowWatch_Promotion_PrintsEachDecisionOnceAsItAppearsAndExitsZero()
    {
        var states = Promotion("rr-1", "fashion");
        _server.Retraining.Set(states[0]);
        _server.Retraining.Then(states[1..]);

        var (result, writes) = await RunWatching("retrain", "show", "rr-1", "--watch");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("following run rr-1 of fashion (trigger drift), now TRAINING", result.Error, StringComparison.Ordinal);
        string[] steps = ["trigger", "submit", "evaluate", "canary", "promote"];
        var stepLines = steps.Select(step => Assert.Single(writes, w => Regex.IsMatch(w.Line, $@"^\S+ \S+  {step} "))).ToArray();
        // Printed in order, and as the polls brought them: the promotion only after the run's last GetRun.
        Assert.Equal(stepLines.OrderBy(w => w.Index), stepLines);
        Assert.True(stepLines[0].Gets < stepLines[^1].Gets, string.Join('\n', writes));
        Assert.Equal(_server.Retraining.Gets, stepLines[^1].Gets);
        Assert.Contains(result.OutLines, l => Regex.IsMatch(l, @"^state:\s+PROMOTED$"));
        Assert.Contains(result.OutLines, l => Regex.IsMatch(l, @"^finished:\s+\d{4}-"));
    }

    [Theory]
    [InlineData(RetrainingRunState.Rejected, ExitCodes.Ok)]
    [InlineData(RetrainingRunState.RolledBack, ExitCodes.Ok)]
    [InlineData(RetrainingRunState.Failed, ExitCodes.JobFailed)]
    public async Task ShowWatch_EndState_ExitCode(RetrainingRunState end, int exitCode)
    {
        _server.Retraining.Set(Run("rr-5", "fashion", RetrainingRunState.Training, "schedule", Decision(0, "trigger", "every 1d")));
        _server.Retraining.Then(
            Run("rr-5", "fashion", RetrainingRunState.Training, "schedule", Decision(0, "trigger", "every 1d")),
            Run("rr-5", "fashion", end, "schedule", Decision(0, "trigger", "every 1d"), Decision(9, "end", "finished as " + end)));

        var (result, _) = await RunWatching("retrain", "show", "rr-5", "-w");

        Assert.True(result.ExitCode == exitCode, result.ToString());
        Assert.Single(result.OutLines, l => l.Contains("  trigger   every 1d", StringComparison.Ordinal));
        Assert.Single(result.OutLines, l => l.Contains("finished as " + end, StringComparison.Ordinal));
        Assert.Equal(2, _server.Retraining.Gets);
    }

    [Fact]
    public async Task ShowWatchJson_Promotion_DecisionLinesThenTheRun()
    {
        var states = Promotion("rr-1", "fashion");
        _server.Retraining.Set(states[0]);
        _server.Retraining.Then(states[1..]);

        var (result, _) = await RunWatching("retrain", "show", "rr-1", "--watch", "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.OutLines;
        Assert.Equal(6, lines.Length);
        Assert.Equal(["trigger", "submit", "evaluate", "canary", "promote"],
            lines[..5].Select(l => JsonDocument.Parse(l).RootElement.GetProperty("step").GetString()));
        Assert.Equal("RETRAINING_RUN_STATE_PROMOTED", JsonDocument.Parse(lines[5]).RootElement.GetProperty("state").GetString());
    }

    [Fact]
    public async Task ShowWatch_CoordinatorUnavailableForAWhile_NotesItAndGoesOn()
    {
        _server.Retraining.Set(Run("rr-6", "fashion", RetrainingRunState.Training, "manual", Decision(0, "trigger", "manual")));
        _server.Retraining.Then(
            Run("rr-6", "fashion", RetrainingRunState.Training, "manual", Decision(0, "trigger", "manual")),
            Run("rr-6", "fashion", RetrainingRunState.Rejected, "manual", Decision(0, "trigger", "manual"), Decision(5, "reject", "not better")));

        var (result, _) = await RunWatching(() =>
        {
            // After the first GetRun: the next two polls find the coordinator restarting.
            _server.Retraining.GetRunErrors.Enqueue(new Status(StatusCode.Unavailable, "coordinator restarting"));
            _server.Retraining.GetRunErrors.Enqueue(new Status(StatusCode.Unavailable, "coordinator restarting"));
        }, "retrain", "show", "rr-6", "--watch");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(2, Regex.Count(result.Error, "could not poll run rr-6 .*coordinator restarting.*; trying again"));
        Assert.Single(result.OutLines, l => l.Contains("  reject    not better", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ShowWatch_CoordinatorGone_GivesUpWithExitFour()
    {
        _server.Retraining.Set(Run("rr-6", "fashion", RetrainingRunState.Training, "manual", Decision(0, "trigger", "manual")));

        var (result, _) = await RunWatching(() =>
        {
            for (var i = 0; i < 20; i++)
            {
                _server.Retraining.GetRunErrors.Enqueue(new Status(StatusCode.Unavailable, "coordinator gone"));
            }
        }, "retrain", "show", "rr-6", "--watch");

        Assert.Equal(ExitCodes.Unreachable, result.ExitCode);
        Assert.Contains("gave up following run rr-6 after 10 failed polls", result.Error, StringComparison.Ordinal);
        Assert.Equal(11, _server.Retraining.Gets);
    }

    [Fact]
    public async Task ShowWatch_AlreadyFinished_PrintsAndExitsWithoutPolling()
    {
        _server.Retraining.Set(Promotion("rr-1", "fashion")[^1]);

        var (result, _) = await RunWatching("retrain", "show", "rr-1", "--watch");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(1, _server.Retraining.Gets);
    }

    private Task<CliResult> Cli(params string[] args) => CliRun.RunAsync([.. args, "--coordinator", _server.Address]);

    /// <summary>
    /// Runs with a fake clock moved on while the CLI waits (as <see cref="CliRun.RunWithClockAsync"/>), noting for each
    /// line written to stdout how many GetRun calls the fake had answered by then.
    /// </summary>
    private Task<(CliResult Result, List<Write> Writes)> RunWatching(params string[] args) => RunWatching(() => { }, args);

    /// <summary>As <see cref="RunWatching(string[])"/>, calling <paramref name="afterFirstGet"/> once the first GetRun was answered.</summary>
    private async Task<(CliResult Result, List<Write> Writes)> RunWatching(Action afterFirstGet, params string[] args)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var writes = new List<Write>();
        var output = new StampingWriter(line => writes.Add(new Write(writes.Count, line, _server.Retraining.Gets)));
        var error = new StringWriter();
        var run = CliApp.RunAsync([.. args, "--coordinator", _server.Address], CliRun.Environment(output, error, time: clock), CancellationToken.None);
        var armed = false;
        while (!run.IsCompleted)
        {
            if (!armed && _server.Retraining.Gets > 0)
            {
                afterFirstGet();
                armed = true;
            }

            await Task.WhenAny(run, Task.Delay(TimeSpan.FromMilliseconds(2)));
            clock.Advance(TimeSpan.FromMilliseconds(500));
        }

        return (new CliResult(await run, output.ToString(), error.ToString()), writes);
    }

    internal sealed record Write(int Index, string Line, int Gets);

    private sealed class StampingWriter(Action<string> onLine) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            onLine(value ?? "");
            base.WriteLine(value);
        }
    }
}
