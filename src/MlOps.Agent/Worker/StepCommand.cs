using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using MlOps.Agent.Jobs;
using MlOps.Contracts;
using MlOps.Core.Datasets;
using MlOps.Core.Jobs;

namespace MlOps.Agent.Worker;

/// <summary>
/// Entry point of a built-in step's child process: <c>MlOps.Agent step --assignment FILE --output DIR</c>, for a command
/// job with <see cref="CommandSpec.Builtin"/>. The agent has fetched the inputs into <c>inputs/&lt;name&gt;</c> beside the
/// assignment file and made <c>DIR/&lt;output&gt;</c>; the step reads and writes only there and reports through
/// <see cref="ChildProtocol"/> like the training child (cancel and lease on stdin, metrics and the result on stdout).
/// <list type="bullet">
/// <item><c>prepare</c>: the MNIST-format dataset in input <c>data</c>, shifted per the params (<see cref="DatasetShift"/>),
/// saved to output <c>dataset</c>.</item>
/// <item><c>evaluate</c>: the ONNX model in input <c>model</c> on input <c>data</c>'s test split: accuracy and loss as job
/// metrics (and <c>metrics.json</c> in output <c>metrics</c> when declared); fails below <c>min_accuracy</c>.</item>
/// </list>
/// </summary>
internal static class StepCommand
{
    public const string MetricsFileName = "metrics.json";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, TextReader stdin)
    {
        if (!ChildProtocol.TryReadArguments(args, "step", stderr, out var assignmentPath, out var outputDirectory))
        {
            return ChildProtocol.ExitCodes.InvalidSpec;
        }

        using var cancellation = new CancellationTokenSource();
        using var preemption = new CancellationTokenSource();
        TrainCommand.StartCommandReader(stdin, cancellation, preemption, stderr);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation.Token, preemption.Token);
        try
        {
            var assignment = JobAssignment.Parser.ParseFrom(File.ReadAllBytes(assignmentPath));
            JobSpecValidator.EnsureValid(assignment.Spec);
            var command = assignment.Spec.Command ?? throw new ArgumentException("the assignment is not a command job");
            var workspace = CommandWorkspace.At(Path.GetDirectoryName(Path.GetFullPath(assignmentPath))!);
            if (Path.GetFullPath(outputDirectory) != workspace.OutputsDirectory)
            {
                throw new ArgumentException($"--output must be the work directory's '{CommandWorkspace.OutputsFolder}' folder ({workspace.OutputsDirectory})");
            }

            var threads = Math.Max(1, assignment.Spec.Resources?.CpuCores ?? 1);
            var result = command.Builtin switch
            {
                BuiltinSteps.Prepare => Prepare(command, workspace, stdout, stop.Token),
                BuiltinSteps.Evaluate => Evaluate(command, workspace, threads, stdout, stop.Token),
                _ => throw new ArgumentException($"unknown built-in step '{command.Builtin}'"),
            };
            stdout.WriteLine(ChildProtocol.Result(result));
            stdout.Flush();
            return ChildProtocol.ExitCodes.Succeeded;
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("step cancelled");
            return ChildProtocol.ExitCodes.Cancelled;
        }
        catch (StepFailedException ex)
        {
            stderr.WriteLine(ex.Message);
            return ChildProtocol.ExitCodes.Failed;
        }
        catch (DatasetException ex)
        {
            stderr.WriteLine($"dataset error: {ex.Message}");
            return ChildProtocol.ExitCodes.InvalidData;
        }
        catch (Exception ex) when (ex is SpecValidationException or ArgumentException or InvalidProtocolBufferException)
        {
            stderr.WriteLine($"invalid step: {ex.Message}");
            return ChildProtocol.ExitCodes.InvalidSpec;
        }
        catch (Exception ex)
        {
            stderr.WriteLine($"step failed: {ex}");
            return ChildProtocol.ExitCodes.Failed;
        }
    }

    private static JobResult Prepare(CommandSpec command, CommandWorkspace workspace, TextWriter stdout, CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>();
        var settings = BuiltinSteps.ReadPrepare(command.Params, errors);
        if (errors.Count > 0)
        {
            throw new SpecValidationException(errors);
        }

        var source = workspace.InputPath(BuiltinSteps.DataInput);
        var data = MnistFormat.Load(source);
        cancellationToken.ThrowIfCancellationRequested();
        // The same derivation as `mlops data derive`, so a pipeline's prepared dataset equals the CLI's for the same params.
        var derived = settings.Shift.Derive(data, settings.TrainFraction, settings.TestFraction, settings.Append, settings.Seed);
        var (train, test) = (derived.Train, derived.Test);
        cancellationToken.ThrowIfCancellationRequested();
        var target = workspace.OutputPath(BuiltinSteps.DatasetOutput);
        MnistFormat.Save(target, derived);
        var shiftedTrain = DatasetShift.ShiftedCount(data.Train.Count, settings.TrainFraction);
        var shiftedTest = DatasetShift.ShiftedCount(data.Test.Count, settings.TestFraction);
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"prepared {target}: train {train.Count} images ({shiftedTrain} shifted), test {test.Count} images ({shiftedTest} shifted); brightness {settings.Shift.Brightness}, contrast {settings.Shift.Contrast}{(settings.Shift.Invert ? ", inverted" : "")}"));
        var result = new JobResult();
        result.Metrics["train_images"] = train.Count;
        result.Metrics["test_images"] = test.Count;
        result.Metrics["shifted_train_images"] = shiftedTrain;
        result.Metrics["shifted_test_images"] = shiftedTest;
        return result;
    }

    private static JobResult Evaluate(CommandSpec command, CommandWorkspace workspace, int threads, TextWriter stdout, CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>();
        var settings = BuiltinSteps.ReadEvaluate(command.Params, errors);
        if (errors.Count > 0)
        {
            throw new SpecValidationException(errors);
        }

        var test = MnistFormat.Load(workspace.InputPath(BuiltinSteps.DataInput)).Test;
        var onnx = BaselineComparison.OnnxPathOf(workspace.InputPath(BuiltinSteps.ModelInput));
        if (!File.Exists(onnx))
        {
            throw new StepFailedException($"the model input has no ONNX file at {onnx}");
        }

        var evaluation = ModelEvaluation.Run(onnx, test, threads, cancellationToken);
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            [ModelEvaluation.Accuracy] = evaluation.Accuracy,
            [ModelEvaluation.Loss] = evaluation.Loss,
            [ModelEvaluation.Samples] = evaluation.Samples,
        };
        var report = new MetricsReport { Epoch = 0 };
        report.Values.Add(metrics);
        stdout.WriteLine(ChildProtocol.Metrics(report));
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"evaluated on {evaluation.Samples} test images: accuracy {evaluation.Accuracy:0.0000}, loss {evaluation.Loss:0.0000}"));
        stdout.Flush();

        if (command.Outputs.Contains(BuiltinSteps.MetricsOutput))
        {
            var path = Path.Combine(workspace.OutputPath(BuiltinSteps.MetricsOutput), MetricsFileName);
            File.WriteAllText(path, JsonSerializer.Serialize(metrics, Indented));
        }

        if (settings.MinAccuracy is { } min && evaluation.Accuracy < min)
        {
            throw new StepFailedException(string.Create(CultureInfo.InvariantCulture,
                $"accuracy {evaluation.Accuracy:0.0000} on {evaluation.Samples} test images is below min_accuracy {min:0.0000} (loss {evaluation.Loss:0.0000})"));
        }

        var result = new JobResult();
        result.Metrics.Add(metrics);
        return result;
    }

    /// <summary>The step ran but its outcome is a failure (an evaluation below its threshold): exit code
    /// <see cref="ChildProtocol.ExitCodes.Failed"/>, the message as the job's reason.</summary>
    private sealed class StepFailedException(string message) : Exception(message);
}
