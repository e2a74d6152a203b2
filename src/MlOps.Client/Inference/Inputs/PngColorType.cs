namespace MlOps.Client.Inference.Inputs;

/// <summary>The colour types of IHDR, with PNG's numbers.</summary>
internal enum PngColorType
{
    Gray = 0,
    Rgb = 2,
    Palette = 3,
    GrayAlpha = 4,
    Rgba = 6,
}
