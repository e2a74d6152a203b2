using MlOps.Contracts;

namespace MlOps.Core.Jobs;

/// <summary>
/// The effective geometry of 2-D layers, with the defaults the contracts document filled in: a size list of one
/// value means square, an empty list means the default. Shared by shape checking, the trainer and the exporter
/// so the three never disagree.
/// </summary>
public static class LayerGeometry
{
    public readonly record struct Pair(long Height, long Width);

    /// <summary>Expands a 0-, 1- or 2-element size list; null when it has more elements.</summary>
    public static Pair? Expand(IReadOnlyList<long> values, long whenEmpty) => values.Count switch
    {
        0 => new Pair(whenEmpty, whenEmpty),
        1 => new Pair(values[0], values[0]),
        2 => new Pair(values[0], values[1]),
        _ => null,
    };

    public static Pair Kernel(Conv2dLayer conv) => Expand(conv.KernelSize, 0) ?? default;

    public static Pair Stride(Conv2dLayer conv) => Expand(conv.Stride, 1) ?? default;

    public static Pair Padding(Conv2dLayer conv) => Expand(conv.Padding, 0) ?? default;

    public static Pair Dilation(Conv2dLayer conv) => Expand(conv.Dilation, 1) ?? default;

    public static long Groups(Conv2dLayer conv) => conv.Groups == 0 ? 1 : conv.Groups;

    public static Pair Kernel(Pool2dLayer pool) => Expand(pool.KernelSize, 0) ?? default;

    public static Pair Stride(Pool2dLayer pool) => pool.Stride.Count == 0 ? Kernel(pool) : Expand(pool.Stride, 1) ?? default;

    public static Pair Padding(Pool2dLayer pool) => Expand(pool.Padding, 0) ?? default;

    public static double Eps(BatchNorm2dLayer bn) => bn.Eps == 0 ? 1e-5 : bn.Eps;

    public static double Momentum(BatchNorm2dLayer bn) => bn.Momentum == 0 ? 0.1 : bn.Momentum;

    /// <summary>Output size of a convolution or pooling window along one axis (floor mode).</summary>
    /// <remarks>Zero or less when the window does not fit (floor division, not truncation towards zero).</remarks>
    public static long OutputSize(long input, long kernel, long stride, long padding, long dilation = 1)
    {
        var span = input + (2 * padding) - (dilation * (kernel - 1)) - 1;
        return span < 0 ? 0 : (span / stride) + 1;
    }
}
