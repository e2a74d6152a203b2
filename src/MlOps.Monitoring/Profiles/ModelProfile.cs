namespace MlOps.Monitoring.Profiles;

/// <summary>What is watched for one model version: its inputs and its predictions, one request at a time.</summary>
public sealed class ModelProfile
{
    /// <summary>A profile from its parts.</summary>
    public ModelProfile(ImageProfile inputs, PredictionProfile predictions)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(predictions);
        Inputs = inputs;
        Predictions = predictions;
    }

    /// <summary>The input images.</summary>
    public ImageProfile Inputs { get; }

    /// <summary>The predicted classes.</summary>
    public PredictionProfile Predictions { get; }

    /// <summary>Adds one request: its input image and the model's class probabilities. Allocation-free.</summary>
    public void Add(ReadOnlySpan<float> image, ReadOnlySpan<float> probabilities)
    {
        Inputs.Add(image);
        Predictions.AddOutput(probabilities);
    }

    /// <summary>An empty live profile over this (reference) profile's bins.</summary>
    public ModelProfile CreateLike(int seed) => new(Inputs.CreateLike(seed), Predictions.CreateLike());

    /// <summary>Adds everything <paramref name="other"/> has seen.</summary>
    public void Merge(ModelProfile other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Predictions.ClassCount != Predictions.ClassCount)
        {
            throw new ArgumentException($"Cannot merge {other.Predictions.ClassCount} classes into {Predictions.ClassCount}.", nameof(other));
        }

        Inputs.Merge(other.Inputs);
        Predictions.Merge(other.Predictions);
    }
}
