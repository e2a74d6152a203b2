namespace MlOps.Client.Inference.Inputs;

/// <summary>
/// How gray pixels become model input values: <c>x = pixel / 255</c>, then <c>x = 1 - x</c> when
/// <see cref="Invert"/>, then <c>(x - Mean) / Std</c>. The defaults feed plain <c>[0, 1]</c> values.
/// </summary>
/// <remarks>
/// Models trained by this project record their mean and standard deviation in the model config parameters
/// <c>mlops.input_mean</c> and <c>mlops.input_std</c>; the caller reads them and passes them here.
/// </remarks>
public sealed record ImagePreprocessing
{
    /// <summary>No inversion, mean 0, standard deviation 1.</summary>
    public static ImagePreprocessing Default { get; } = new();

    /// <summary>Subtracted after scaling (and inversion). Default 0.</summary>
    public float Mean { get; init; }

    /// <summary>Divides after subtracting <see cref="Mean"/>; must be positive and finite. Default 1.</summary>
    public float Std { get; init; } = 1;

    /// <summary>
    /// Turns dark-on-light pictures (a photo of a shoe on a white table) into the light-on-black form
    /// Fashion-MNIST models were trained on. Default false.
    /// </summary>
    public bool Invert { get; init; }

    internal void Validate()
    {
        if (!float.IsFinite(Mean))
        {
            throw new ArgumentException($"the input mean must be a finite number, got {Mean}", nameof(Mean));
        }

        if (!float.IsFinite(Std) || Std <= 0)
        {
            throw new ArgumentException($"the input standard deviation must be a positive finite number, got {Std}", nameof(Std));
        }
    }
}
