namespace MlOps.Core.Datasets;

/// <summary>
/// Reads the four files of an MNIST-format dataset (MNIST, Fashion-MNIST) from one directory and checks
/// that images and labels agree: same count, labels below the class count, and the expected sizes.
/// </summary>
public static class MnistFormat
{
    public const int Classes = 10;

    /// <summary>File names in the order train images, train labels, test images, test labels.</summary>
    public static readonly IReadOnlyList<string> FileNames =
    [
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
    ];

    public static ImageClassificationData Load(string directory, int? expectedTrain = null, int? expectedTest = null)
    {
        if (!Directory.Exists(directory))
        {
            throw new DatasetException(directory, "dataset directory not found");
        }

        var train = LoadSplit(directory, FileNames[0], FileNames[1], expectedTrain);
        var test = LoadSplit(directory, FileNames[2], FileNames[3], expectedTest);
        if (train.Height != test.Height || train.Width != test.Width)
        {
            throw new DatasetException(Path.Combine(directory, FileNames[2]),
                $"test images are {test.Height}x{test.Width} but train images are {train.Height}x{train.Width}");
        }

        return new ImageClassificationData(train, test, Classes);
    }

    /// <summary>Writes <paramref name="data"/> as the four gzip-compressed IDX files into <paramref name="directory"/>
    /// (created if missing), readable by <see cref="Load"/>.</summary>
    public static void Save(string directory, ImageClassificationData data)
    {
        Directory.CreateDirectory(directory);
        SaveSplit(directory, FileNames[0], FileNames[1], data.Train);
        SaveSplit(directory, FileNames[2], FileNames[3], data.Test);
    }

    private static void SaveSplit(string directory, string imagesName, string labelsName, ImageSplit split)
    {
        IdxFile.WriteGzip(Path.Combine(directory, imagesName), [split.Count, split.Height, split.Width], split.Pixels);
        IdxFile.WriteGzip(Path.Combine(directory, labelsName), [split.Count], split.Labels);
    }

    private static ImageSplit LoadSplit(string directory, string imagesName, string labelsName, int? expectedCount)
    {
        var imagesPath = Path.Combine(directory, imagesName);
        var labelsPath = Path.Combine(directory, labelsName);
        var images = IdxFile.Read(imagesPath, expectedRank: 3);
        var labels = IdxFile.Read(labelsPath, expectedRank: 1);
        if (images.Count != labels.Count)
        {
            throw new DatasetException(labelsPath, $"holds {labels.Count} labels but {imagesName} holds {images.Count} images");
        }

        if (expectedCount is { } expected && images.Count != expected)
        {
            throw new DatasetException(imagesPath, $"holds {images.Count} images; expected {expected}");
        }

        var bad = Array.FindIndex(labels.Data, l => l >= Classes);
        if (bad >= 0)
        {
            throw new DatasetException(labelsPath, $"label {bad} is {labels.Data[bad]}; labels must be below {Classes}");
        }

        return new ImageSplit(images.Data, labels.Data, images.Count, images.Dimensions[1], images.Dimensions[2]);
    }
}
