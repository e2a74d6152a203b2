using MlOps.Core.Datasets;
using MlOps.Training;

namespace MlOps.Onnx.Tests.Support;

/// <summary>A fact that is skipped, saying why, when Debian's dataset-fashion-mnist package is not installed.</summary>
public sealed class FashionMnistFactAttribute : FactAttribute
{
    public static readonly string DatasetPath = DatasetCatalog.Defaults["fashion-mnist"].Path;

    public FashionMnistFactAttribute()
    {
        if (!Directory.Exists(DatasetPath))
        {
            Skip = $"Fashion-MNIST not found at {DatasetPath} (install Debian's dataset-fashion-mnist package)";
        }
    }

    /// <summary>The real dataset, loaded once per test run.</summary>
    public static ImageClassificationData Data => Loaded.Value;

    private static readonly Lazy<ImageClassificationData> Loaded = new(() => MnistFormat.Load(DatasetPath));

    /// <summary><paramref name="count"/> images from <paramref name="start"/>, normalised as the trainer feeds them.</summary>
    public static float[] Normalized(ImageSplit split, int start, int count)
    {
        var pixels = split.PixelsPerImage;
        var values = new float[count * pixels];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = ((split.Pixels[(start * pixels) + i] / 255f) - ImageNormalization.Mean) / ImageNormalization.Std;
        }

        return values;
    }
}
