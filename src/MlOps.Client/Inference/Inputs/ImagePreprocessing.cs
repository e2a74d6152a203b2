using System.Globalization;

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
    /// <summary>Model config parameter holding the mean a model was trained with (<c>metadata_props</c> of its ONNX).</summary>
    public const string MeanParameter = "mlops.input_mean";

    /// <summary>Model config parameter holding the standard deviation a model was trained with.</summary>
    public const string StdParameter = "mlops.input_std";

    /// <summary>No inversion, mean 0, standard deviation 1.</summary>
    public static ImagePreprocessing Default { get; } = new();

    /// <summary>
    /// The normalisation a model records in its config parameters (<see cref="MeanParameter"/>,
    /// <see cref="StdParameter"/>); a parameter that is absent or not a number keeps the default. Not validated here:
    /// an unusable value is reported when an image is encoded.
    /// </summary>
    /// <param name="parameter">The string value of a config parameter by key, or null when the model has none.</param>
    /// <param name="invert">See <see cref="Invert"/>.</param>
    public static ImagePreprocessing FromModelParameters(Func<string, string?> parameter, bool invert = false)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        return new ImagePreprocessing
        {
            Mean = Number(parameter(MeanParameter), 0f),
            Std = Number(parameter(StdParameter), 1f),
            Invert = invert,
        };
    }

    /// <summary>Subtracted after scaling (and inversion). Default 0.</summary>
    public float Mean { get; init; }

    /// <summary>Divides after subtracting <see cref="Mean"/>; must be positive and finite. Default 1.</summary>
    public float Std { get; init; } = 1;

    /// <summary>
    /// Turns dark-on-light pictures (a photo of a shoe on a white table) into the light-on-black form
    /// Fashion-MNIST models were trained on. Default false.
    /// </summary>
    public bool Invert { get; init; }

    private static float Number(string? text, float fallback) =>
        float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : fallback;

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
