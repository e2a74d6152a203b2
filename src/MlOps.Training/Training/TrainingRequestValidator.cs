using MlOps.Contracts;
using MlOps.Core.Datasets;
using MlOps.Core.Jobs;
using MlOps.Onnx;
using MlOps.Training.Models;

namespace MlOps.Training;

/// <summary>Checks a <see cref="TrainingRequest"/> before any tensor is made, listing every bad field at once.</summary>
internal static class TrainingRequestValidator
{
    public static void EnsureValid(TrainingRequest request)
    {
        var errors = new List<FieldError>();
        if (request.Model is null)
        {
            errors.Add(new FieldError("model", "is required"));
        }

        if (request.HyperParameters is not { } hp)
        {
            errors.Add(new FieldError("hyper_parameters", "is required"));
        }
        else
        {
            if (hp.Optimizer is not (Optimizer.Sgd or Optimizer.Adam))
            {
                errors.Add(new FieldError("hyper_parameters.optimizer", $"must be sgd or adam, got {hp.Optimizer}"));
            }

            if (!(hp.LearningRate > 0 && double.IsFinite(hp.LearningRate)))
            {
                errors.Add(new FieldError("hyper_parameters.learning_rate", $"must be a positive number, got {hp.LearningRate}"));
            }

            if (hp.BatchSize is < 1 or > JobSpecValidator.MaxBatchSize)
            {
                errors.Add(new FieldError("hyper_parameters.batch_size", $"must be between 1 and {JobSpecValidator.MaxBatchSize}, got {hp.BatchSize}"));
            }

            if (hp.Epochs is < 1 or > JobSpecValidator.MaxEpochs)
            {
                errors.Add(new FieldError("hyper_parameters.epochs", $"must be between 1 and {JobSpecValidator.MaxEpochs}, got {hp.Epochs}"));
            }

            if (!(hp.Momentum >= 0 && hp.Momentum < 1))
            {
                errors.Add(new FieldError("hyper_parameters.momentum", $"must be at least 0 and below 1, got {hp.Momentum}"));
            }

            if (!(hp.WeightDecay >= 0 && double.IsFinite(hp.WeightDecay)))
            {
                errors.Add(new FieldError("hyper_parameters.weight_decay", $"must be at least 0, got {hp.WeightDecay}"));
            }
        }

        if (string.IsNullOrWhiteSpace(request.DatasetPath))
        {
            errors.Add(new FieldError(nameof(TrainingRequest.DatasetPath), "is required"));
        }

        if (string.IsNullOrWhiteSpace(request.OutputDirectory))
        {
            errors.Add(new FieldError(nameof(TrainingRequest.OutputDirectory), "is required"));
        }

        if (request.Threads < 0)
        {
            errors.Add(new FieldError(nameof(TrainingRequest.Threads), $"must be 0 (torch default) or more, got {request.Threads}"));
        }

        if (request.MaxTrainSamples is < 1)
        {
            errors.Add(new FieldError(nameof(TrainingRequest.MaxTrainSamples), $"must be at least 1 when set, got {request.MaxTrainSamples}"));
        }

        if (request.MaxTestSamples is < 1)
        {
            errors.Add(new FieldError(nameof(TrainingRequest.MaxTestSamples), $"must be at least 1 when set, got {request.MaxTestSamples}"));
        }

        ValidateExport(request, errors);
        ValidateCheckpoints(request, errors);

        if (errors.Count > 0)
        {
            throw new ArgumentException($"invalid training request: {string.Join("; ", errors)}", nameof(request));
        }

        // Throws ArgumentException naming model.layers[i] for a bad model.
        ModelBuilder.Plan(request.Model!);
    }

    private static void ValidateExport(TrainingRequest request, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(request.ModelName))
        {
            errors.Add(new FieldError(nameof(TrainingRequest.ModelName), "is required"));
        }

        if (request.ModelVersion < 0)
        {
            errors.Add(new FieldError(nameof(TrainingRequest.ModelVersion), $"must be 0 or more, got {request.ModelVersion}"));
        }

        if (request.ModelMetadata is null)
        {
            errors.Add(new FieldError(nameof(TrainingRequest.ModelMetadata), "is required (may be empty)"));
            return;
        }

        var owned = request.ModelMetadata.Keys
            .Where(k => OnnxMetadataKeys.Reserved.Contains(k) || ModelExport.TrainerKeys.Contains(k))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (owned.Count > 0)
        {
            errors.Add(new FieldError(nameof(TrainingRequest.ModelMetadata), $"may not set {string.Join(", ", owned)}: the trainer writes them"));
        }

        if (request.ModelMetadata.Any(p => string.IsNullOrEmpty(p.Key) || p.Value is null))
        {
            errors.Add(new FieldError(nameof(TrainingRequest.ModelMetadata), "keys must be non-empty and values non-null"));
        }
    }

    private static void ValidateCheckpoints(TrainingRequest request, List<FieldError> errors)
    {
        if (request.CheckpointEverySteps < 0)
        {
            errors.Add(new FieldError(nameof(TrainingRequest.CheckpointEverySteps), $"must be 0 (off) or more, got {request.CheckpointEverySteps}"));
        }

        if (request.CheckpointEvery is { } every && every <= TimeSpan.Zero)
        {
            errors.Add(new FieldError(nameof(TrainingRequest.CheckpointEvery), $"must be positive when set (null turns it off), got {every}"));
        }

        if (request.CheckpointDirectory is { } directory && string.IsNullOrWhiteSpace(directory))
        {
            errors.Add(new FieldError(nameof(TrainingRequest.CheckpointDirectory), "must not be blank when set (null uses OutputDirectory/checkpoints)"));
        }

        if (request.ResumeFrom is { } resume)
        {
            if (string.IsNullOrWhiteSpace(resume))
            {
                errors.Add(new FieldError(nameof(TrainingRequest.ResumeFrom), "must not be blank when set (null starts afresh)"));
            }
            else if (!File.Exists(resume))
            {
                errors.Add(new FieldError(nameof(TrainingRequest.ResumeFrom), $"checkpoint file {resume} does not exist"));
            }
        }
    }

    /// <summary>The model must take one image and give one score per class.</summary>
    public static void EnsureFitsData(TrainingRequest request, ImageClassificationData data)
    {
        var model = request.Model;
        var pixels = (long)data.Train.Height * data.Train.Width;
        var inputSize = model.InputShape.Aggregate(1L, (a, b) => a * b);
        if (inputSize != pixels)
        {
            throw new ArgumentException(
                $"model.input_shape [{string.Join(", ", model.InputShape)}] holds {inputSize} values but the dataset's images are " +
                $"1x{data.Train.Height}x{data.Train.Width}; use [1, {data.Train.Height}, {data.Train.Width}]", nameof(request));
        }

        var output = ModelShapes.OutputShape(model);
        if (output is not [var classes] || classes != data.Classes)
        {
            throw new ArgumentException(
                $"model.layers: the model's output is [{string.Join(", ", output ?? [])}] per sample; the dataset has {data.Classes} classes, " +
                $"so the last linear layer needs out_features {data.Classes}", nameof(request));
        }
    }
}
