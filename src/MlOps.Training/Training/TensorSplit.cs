using MlOps.Core.Datasets;
using TorchSharp;
using static TorchSharp.torch;

namespace MlOps.Training;

/// <summary>
/// One dataset split held as two whole tensors: normalised float images <c>[N, ..input_shape]</c> and int64
/// labels <c>[N]</c>. Batches are cut from them with <c>index_select</c>; nothing is created per sample.
/// </summary>
internal sealed class TensorSplit : IDisposable
{
    private TensorSplit(Tensor images, Tensor labels, int count)
    {
        Images = images;
        Labels = labels;
        Count = count;
    }

    public Tensor Images { get; }

    public Tensor Labels { get; }

    public int Count { get; }

    /// <summary>Converts the first <paramref name="limit"/> samples (all when null) of <paramref name="split"/>, held on
    /// <paramref name="device"/> (the CPU when null).</summary>
    public static TensorSplit Create(ImageSplit split, IReadOnlyList<long> inputShape, int? limit, Device? device = null)
    {
        var count = Math.Min(split.Count, limit ?? int.MaxValue);
        var pixels = split.PixelsPerImage;
        var bytes = count == split.Count ? split.Pixels : split.Pixels.AsSpan(0, count * pixels).ToArray();
        var labelBytes = count == split.Count ? split.Labels : split.Labels.AsSpan(0, count).ToArray();

        long[] shape = [count, .. inputShape];
        using var scope = NewDisposeScope();
        var raw = tensor(bytes, [count, pixels], ScalarType.Byte);
        var images = raw.to_type(ScalarType.Float32).div_(255f).sub_(ImageNormalization.Mean).div_(ImageNormalization.Std).reshape(shape).contiguous();
        var labels = tensor(labelBytes, [count], ScalarType.Byte).to_type(ScalarType.Int64);
        if (device is not null && device.type != DeviceType.CPU)
        {
            images = images.to(device);
            labels = labels.to(device);
        }
        return new TensorSplit(images.DetachFromDisposeScope(), labels.DetachFromDisposeScope(), count);
    }

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
