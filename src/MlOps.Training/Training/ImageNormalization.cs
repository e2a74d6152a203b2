namespace MlOps.Training;

/// <summary>
/// How pixels become model inputs: <c>(byte / 255 - Mean) / Std</c>. Fixed Fashion-MNIST statistics rather than
/// per-dataset ones, so a server feeding the trained model needs only these two constants.
/// </summary>
public static class ImageNormalization
{
    public const float Mean = 0.2860f;
    public const float Std = 0.3530f;
}
