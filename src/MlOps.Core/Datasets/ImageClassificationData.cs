namespace MlOps.Core.Datasets;

/// <summary>One split of an image classification dataset: <see cref="Count"/> images of
/// <see cref="Height"/> x <see cref="Width"/> grey pixels (row-major bytes) and one label each.</summary>
public sealed record ImageSplit(byte[] Pixels, byte[] Labels, int Count, int Height, int Width)
{
    public int PixelsPerImage => Height * Width;
}

/// <summary>Train and test splits plus the number of classes.</summary>
public sealed record ImageClassificationData(ImageSplit Train, ImageSplit Test, int Classes);
