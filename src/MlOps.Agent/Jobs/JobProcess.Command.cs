using System.Diagnostics;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using MlOps.Agent.Worker;
using MlOps.Contracts;

namespace MlOps.Agent.Jobs;

/// <summary>The command-job side of <see cref="JobProcess"/>: starting a program or a built-in step in its workspace,
/// and the watchdog that enforces a command's timeout and, for a plain program, the agent's lease.</summary>
internal sealed partial class JobProcess
{
    /// <summary>Starts a command job (<see cref="JobSpec.Command"/>) in <paramref name="workspace"/>, whose inputs are
    /// fetched and output directories made already: a built-in step as this agent's own <c>step</c> child (which speaks
    /// <see cref="ChildProtocol"/>), or argv as is, without a shell. A plain program cannot read the agent's commands on
    /// stdin (it gets an empty stdin), so for it the agent enforces cancel, lease and timeout itself by stopping its
    /// process tree: SIGTERM, then SIGKILL after the grace period. A plain program does not inherit the agent's
    /// configuration variables or credentials (<see cref="CommandEnvironment"/>).</summary>
    public static JobProcess StartCommand(JobAssignment assignment, CommandWorkspace workspace, IAgentOutbox outbox, TimeProvider time, int logBatchSize,
        ILogger? logger = null, IReadOnlyList<string>? notes = null, IReadOnlyList<string>? gpuUuids = null)
    {
        var command = assignment.Spec.Command ?? throw new ArgumentException("the assignment is not a command job", nameof(assignment));
        var workDirectory = workspace.WorkDirectory;
        Directory.CreateDirectory(workDirectory);
        ProcessStartInfo startInfo;
        ChildKind kind;
        if (command.Builtin.Length > 0)
        {
            var assignmentPath = Path.Combine(workDirectory, "assignment.pb");
            File.WriteAllBytes(assignmentPath, assignment.ToByteArray());
            var (fileName, leading) = ChildCommand.ForStep();
            startInfo = new ProcessStartInfo(fileName);
            foreach (var arg in leading)
            {
                startInfo.ArgumentList.Add(arg);
            }

            startInfo.ArgumentList.Add("--assignment");
            startInfo.ArgumentList.Add(assignmentPath);
            startInfo.ArgumentList.Add("--output");
            startInfo.ArgumentList.Add(workspace.OutputsDirectory);
            kind = ChildKind.Step;
        }
        else
        {
            var substitute = CommandArguments.Substitution(command, workspace);
            startInfo = new ProcessStartInfo(substitute(command.Argv[0]));
            foreach (var arg in command.Argv.Skip(1))
            {
                startInfo.ArgumentList.Add(substitute(arg));
            }

            // The agent's configuration and credentials stay with the agent; what the spec sets goes in after.
            CommandEnvironment.Scrub(startInfo.Environment);
            foreach (var (name, value) in command.Env)
            {
                startInfo.Environment[name] = substitute(value);
            }

            kind = ChildKind.Program;
        }

        startInfo.WorkingDirectory = workDirectory;
        startInfo.RedirectStandardInput = true;
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        startInfo.UseShellExecute = false;
        startInfo.Environment[CommandArguments.InputsVariable] = workspace.InputsDirectory;
        startInfo.Environment[CommandArguments.OutputsVariable] = workspace.OutputsDirectory;
        return Launch(assignment, startInfo, outbox, time, logBatchSize, null, logger, notes, kind, gpuUuids);
    }

    /// <summary>How often the watchdog of a command job checks its timeout and (for a plain program) the lease.</summary>
    internal static readonly TimeSpan WatchdogPeriod = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// For a command job: kills the process tree once <see cref="CommandSpec.TimeoutSeconds"/> have passed, and, for a plain
    /// program, once the agent's lease has run out without a newer one — the self-fencing a training child does on its
    /// own (docs/agent-protocol.md). Both are given up at once, with no grace: the attempt has failed either way.
    /// </summary>
    private void StartWatchdog()
    {
        if (_kind == ChildKind.Training)
        {
            return;
        }

        var started = _time.GetUtcNow();
        _watchdog = _time.CreateTimer(_ =>
        {
            var now = _time.GetUtcNow();
            if (_timeout is { } timeout && now - started >= timeout && !_timedOut)
            {
                _timedOut = true;
                KillTree();
            }
            else if (_kind == ChildKind.Program && now.UtcTicks > Interlocked.Read(ref _leaseDeadlineTicks) && !_leaseExpired)
            {
                _leaseExpired = true;
                KillTree();
            }
        }, null, WatchdogPeriod, WatchdogPeriod);
    }

    private static string DescribeStepExit(int exitCode) => exitCode switch
    {
        ChildProtocol.ExitCodes.InvalidSpec => "invalid step",
        ChildProtocol.ExitCodes.InvalidData => "invalid input data",
        ChildProtocol.ExitCodes.Succeeded => "step process exited without a result",
        ChildProtocol.ExitCodes.Failed => "step failed",
        ChildProtocol.ExitCodes.Cancelled => "step cancelled",
        ChildProtocol.ExitCodes.LeaseExpired => "step stopped itself: the agent's lease with the coordinator ran out, so the job may already run elsewhere",
        _ when exitCode > 128 => $"step process killed by signal {exitCode - 128}",
        _ => "step process crashed",
    };
}
