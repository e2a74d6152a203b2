using System.CommandLine;
using MlOps.Cli.Output;
using MlOps.Contracts;
using MlOps.Core.Jobs;
using MlOps.Pipelines.Planning;
using MlOps.Pipelines.Specs;

namespace MlOps.Cli.Pipelines;

/// <summary>
/// <c>mlops pipeline run FILE [--param NAME=VALUE]... [--no-cache] [--watch]</c>: reads the pipeline (job files
/// put inline), checks and plans it here with the parameters so every bad field is reported before anything is sent,
/// then sends the self-contained YAML. stdout gets the run id alone; with <c>--watch</c> each step's changes follow
/// until the run ends (exit 0 SUCCEEDED, 1 otherwise).
/// </summary>
internal static class RunPipelineCommand
{
    public static Command Create(CliEnvironment environment, SharedOptions shared)
    {
        var file = new Argument<string>("file") { Description = "Pipeline YAML (docs/pipelines.md)", HelpName = "FILE" };
        var parameters = new Option<string[]>("--param", "-p")
        {
            Description = "A value for a declared parameter (repeatable), e.g. --param epochs=20",
            HelpName = "NAME=VALUE",
            AllowMultipleArgumentsPerToken = false,
        };
        var noCache = new Option<bool>("--no-cache") { Description = "Run every step, even those whose cached outputs could be reused (results are still cached)" };
        var watch = new Option<bool>("--watch", "-w") { Description = "Follow the run until it ends: exit 0 when SUCCEEDED, 1 otherwise" };
        var command = shared.AddTo(new Command("run", "Start a pipeline run on the coordinator") { file, parameters, noCache, watch });
        CommandAction.Set(command, environment, async (parseResult, cancellationToken) =>
        {
            var path = parseResult.GetValue(file)!;
            var values = ParseParameters(parseResult.GetValue(parameters) ?? []);
            var spec = Load(path, values);
            var context = shared.Context(environment, parseResult);
            using var client = context.CreateClient();
            var run = await client.RunPipelineAsync(PipelineYaml.ToYaml(spec), values, parseResult.GetValue(noCache), context.DefaultOwner, cancellationToken);
            if (!parseResult.GetValue(watch))
            {
                if (context.Json)
                {
                    await context.Out.WriteLineAsync(ProtoJson.Indented(run));
                    return ExitCodes.Ok;
                }

                await context.Out.WriteLineAsync(run.Id);
                await context.Error.WriteLineAsync($"pipeline {run.Pipeline}: run {run.Id} started with {run.Steps.Count} steps");
                await context.Error.WriteLineAsync($"follow it with: mlops pipeline show {run.Id}, or run with --watch");
                return ExitCodes.Ok;
            }

            return await WatchAsync(context, client, run, cancellationToken);
        });
        return command;
    }

    /// <summary>Follows a run: one line per step change (JSON Lines of steps with <c>-o json</c>), then the run.</summary>
    internal static async Task<int> WatchAsync(CommandContext context, Client.MlOpsClient client, PipelineRun run, CancellationToken cancellationToken)
    {
        var time = context.Environment.Time;
        Action<PipelineStepRun> onChange = context.Json
            ? step => context.Out.WriteLine(ProtoJson.Line(step))
            : step => context.Out.WriteLine(PipelineText.Change(step, time.GetUtcNow()));
        if (!context.Json)
        {
            await context.Error.WriteLineAsync($"following run {run.Id} of pipeline {run.Pipeline} ({run.Steps.Count} steps)");
        }

        run = await PipelineWatch.UntilFinishedAsync(client, run, onChange, context.Error, time, cancellationToken);
        if (context.Json)
        {
            await context.Out.WriteLineAsync(ProtoJson.Line(run));
        }
        else
        {
            await context.Out.WriteLineAsync();
            PipelineText.Describe(run, context.Out, time.GetUtcNow());
        }

        return PipelineText.ExitCode(run);
    }

    internal static Dictionary<string, string> ParseParameters(IEnumerable<string> given)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var text in given)
        {
            var equals = text.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CliException(ExitCodes.Usage, $"--param '{text}' must be NAME=VALUE");
            }

            var name = text[..equals];
            if (!values.TryAdd(name, text[(equals + 1)..]))
            {
                throw new CliException(ExitCodes.Usage, $"--param {name} is given twice");
            }
        }

        return values;
    }

    /// <summary>Reads and plans the pipeline as the coordinator will, so a bad file fails here with every field.</summary>
    private static PipelineSpec Load(string path, IReadOnlyDictionary<string, string> values)
    {
        try
        {
            var spec = PipelineYaml.LoadFile(path);
            _ = PipelinePlanner.Plan(spec, values);
            return spec;
        }
        catch (FileNotFoundException)
        {
            throw new CliException(ExitCodes.Usage, $"pipeline file not found: {path}");
        }
        catch (PipelineSpecException ex)
        {
            throw Invalid(path, ex.Errors);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.Usage, $"cannot read pipeline {path}: {ex.Message}");
        }
    }

    private static CliException Invalid(string path, IReadOnlyList<FieldError> errors) =>
        new(ExitCodes.Usage, $"invalid pipeline {path} ({errors.Count} {(errors.Count == 1 ? "error" : "errors")}):")
        {
            Details = [.. errors.Select(e => e.ToString())],
        };
}
