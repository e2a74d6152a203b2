using System.Text.RegularExpressions;
using MlOps.Contracts;

namespace MlOps.Core.Jobs;

/// <summary>
/// Checks a <see cref="JobSpec"/> and returns every problem at once. The model is checked by walking the
/// layers with the sample shape, so a layer that cannot take its input is reported at submit time, not
/// after the job has waited in the queue. A command job (<see cref="JobSpec.Command"/>) has no model, hyper-parameters
/// or dataset; its program or built-in step, inputs and outputs are checked instead (JobSpecValidator.Command.cs).
/// </summary>
public static partial class JobSpecValidator
{
    public const int MaxEpochs = 10_000;
    public const int MaxBatchSize = 65_536;
    public const long MaxFeatures = 1 << 20;
    public const int MaxLayers = 256;
    public const int MaxPriority = 1000;
    public const int MaxAttemptsLimit = 20;

    /// <summary>Most values one sample may hold at the input and after any layer (2^32): far above any model this
    /// cluster trains, and low enough that no shape product overflows.</summary>
    public const long MaxSampleElements = 1L << 32;

    [GeneratedRegex("^[a-z0-9]([a-z0-9._-]{0,62})$")]
    private static partial Regex NamePattern();

    public static IReadOnlyList<FieldError> Validate(JobSpec spec)
    {
        var errors = new List<FieldError>();
        void Error(string field, string message) => errors.Add(new FieldError(field, message));

        if (string.IsNullOrEmpty(spec.Name))
        {
            Error("name", "is required");
        }
        else if (!NamePattern().IsMatch(spec.Name))
        {
            Error("name", "must be 1-63 characters of lowercase letters, digits, '.', '_' or '-', starting with a letter or digit");
        }

        if (spec.Owner.Length > 64)
        {
            Error("owner", "must be at most 64 characters");
        }

        if (spec.Command is { } command)
        {
            // A command job (a pipeline step) runs a program, not a training: nothing of a training may be set.
            void NotForCommand(bool set, string field)
            {
                if (set)
                {
                    Error(field, "must not be set for a command job: it runs command.argv or command.builtin, not a training");
                }
            }

            NotForCommand(spec.Model is not null, "model");
            NotForCommand(spec.HyperParameters is not null, "hyper_parameters");
            NotForCommand(spec.Dataset is not null, "dataset");
            NotForCommand(spec.Baseline is not null, "baseline");
            ValidateCommand(command, errors);
        }
        else
        {
            ValidateTraining(spec, errors);
        }

        if (spec.Seed < 0)
        {
            Error("seed", "must be zero or positive");
        }

        if (spec.Priority is < -MaxPriority or > MaxPriority)
        {
            Error("priority", $"must be between {-MaxPriority} and {MaxPriority}");
        }

        if (spec.MaxAttempts is < 0 or > MaxAttemptsLimit)
        {
            Error("max_attempts", $"must be between 0 (the coordinator default) and {MaxAttemptsLimit}");
        }

        if (spec.Resources is { } r)
        {
            if (r.CpuCores < 0)
            {
                Error("resources.cpu_cores", "must be zero (one core) or positive");
            }

            if (r.MemoryMb < 0)
            {
                Error("resources.memory_mb", "must be zero (no reservation) or positive");
            }

            if (r.Gpus is < 0 or > 64)
            {
                Error("resources.gpus", "must be between 0 and 64");
            }

            if (r.GpuMemoryMb < 0)
            {
                Error("resources.gpu_memory_mb", "must be zero (any GPU) or positive");
            }
            else if (r.GpuMemoryMb > 0 && r.Gpus == 0)
            {
                Error("resources.gpu_memory_mb", "needs resources.gpus: the job asks for no GPU");
            }

            if (r.GpuModel.Length > 64 || r.GpuModel.Any(char.IsControl))
            {
                Error("resources.gpu_model", "must be at most 64 printable characters");
            }
            else if (r.GpuModel.Length > 0 && r.Gpus == 0)
            {
                Error("resources.gpu_model", "needs resources.gpus: the job asks for no GPU");
            }
        }

        if (spec.Checkpoint is { } checkpoint)
        {
            if (checkpoint.EverySteps < 0)
            {
                Error("checkpoint.every_steps", "must be zero (not by steps) or positive");
            }

            if (checkpoint.EverySeconds is < 0 or > 7 * 24 * 3600)
            {
                Error("checkpoint.every_seconds", "must be between 0 (not by time) and 604800 (a week)");
            }
            else if (checkpoint.EverySeconds is > 0 and < 10)
            {
                Error("checkpoint.every_seconds", "must be at least 10: every checkpoint is pushed to the artifact store");
            }

            if (checkpoint.Disabled && (checkpoint.EverySteps > 0 || checkpoint.EverySeconds > 0))
            {
                Error("checkpoint.disabled", "cannot be combined with checkpoint.every_steps or checkpoint.every_seconds");
            }
        }

        if (spec.Team.Length > 0 && !NamePattern().IsMatch(spec.Team))
        {
            Error("team", "must be 1-63 characters of lowercase letters, digits, '.', '_' or '-', starting with a letter or digit");
        }

        return errors;
    }

    /// <summary>Throws <see cref="SpecValidationException"/> listing every error when the spec is not valid.</summary>
    public static void EnsureValid(JobSpec spec)
    {
        var errors = Validate(spec);
        if (errors.Count > 0)
        {
            throw new SpecValidationException(errors);
        }
    }

    private static void ValidateTraining(JobSpec spec, List<FieldError> errors)
    {
        if (spec.Dataset is null || string.IsNullOrEmpty(spec.Dataset.Name))
        {
            errors.Add(new FieldError("dataset.name", "is required"));
        }
        else if (!string.IsNullOrEmpty(spec.Dataset.Digest) && !Digests.Sha256Digest.IsValid(spec.Dataset.Digest))
        {
            errors.Add(new FieldError("dataset.digest", "must be 'sha256:' followed by 64 lowercase hex digits"));
        }

        if (spec.Model is null)
        {
            errors.Add(new FieldError("model", "is required"));
        }
        else
        {
            ModelShapes.Check(spec.Model, errors);
        }

        ValidateHyperParameters(spec.HyperParameters, errors);
    }

    private static void ValidateHyperParameters(HyperParameters? hp, List<FieldError> errors)
    {
        if (hp is null)
        {
            errors.Add(new FieldError("hyper_parameters", "is required (optimizer, learning_rate, batch_size, epochs)"));
            return;
        }

        if (hp.Optimizer == Optimizer.Unspecified)
        {
            errors.Add(new FieldError("hyper_parameters.optimizer", "is required: sgd or adam"));
        }

        if (!(hp.LearningRate > 0 && hp.LearningRate <= 10 && double.IsFinite(hp.LearningRate)))
        {
            errors.Add(new FieldError("hyper_parameters.learning_rate", $"must be greater than 0 and at most 10, got {hp.LearningRate}"));
        }

        if (hp.BatchSize is < 1 or > MaxBatchSize)
        {
            errors.Add(new FieldError("hyper_parameters.batch_size", $"must be between 1 and {MaxBatchSize}, got {hp.BatchSize}"));
        }

        if (hp.Epochs is < 1 or > MaxEpochs)
        {
            errors.Add(new FieldError("hyper_parameters.epochs", $"must be between 1 and {MaxEpochs}, got {hp.Epochs}"));
        }

        if (!(hp.Momentum >= 0 && hp.Momentum < 1))
        {
            errors.Add(new FieldError("hyper_parameters.momentum", $"must be at least 0 and below 1, got {hp.Momentum}"));
        }
        else if (hp.Momentum > 0 && hp.Optimizer == Optimizer.Adam)
        {
            errors.Add(new FieldError("hyper_parameters.momentum", "applies to sgd only; adam uses its own moment estimates"));
        }

        if (!(hp.WeightDecay >= 0 && hp.WeightDecay <= 1))
        {
            errors.Add(new FieldError("hyper_parameters.weight_decay", $"must be between 0 and 1, got {hp.WeightDecay}"));
        }
    }
}
