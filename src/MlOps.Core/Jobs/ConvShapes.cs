using MlOps.Contracts;

namespace MlOps.Core.Jobs;

/// <summary>Shape rules of the image layers (input [C, H, W]); each reports its problems with the field path.</summary>
internal static class ConvShapes
{
    public static long[]? Conv2d(Conv2dLayer conv, string path, long[] shape, List<FieldError> errors)
    {
        if (!NeedsImage(path, shape, errors))
        {
            return null;
        }

        var before = errors.Count;
        if (conv.OutChannels is < 1 or > JobSpecValidator.MaxFeatures)
        {
            errors.Add(new FieldError($"{path}.out_channels", $"must be between 1 and {JobSpecValidator.MaxFeatures}, got {conv.OutChannels}"));
        }

        var kernel = Sizes(conv.KernelSize, $"{path}.kernel_size", required: true, minimum: 1, errors);
        var stride = Sizes(conv.Stride, $"{path}.stride", required: false, minimum: 1, errors);
        var padding = Sizes(conv.Padding, $"{path}.padding", required: false, minimum: 0, errors);
        var dilation = Sizes(conv.Dilation, $"{path}.dilation", required: false, minimum: 1, errors);
        var groups = LayerGeometry.Groups(conv);
        if (groups < 1 || shape[0] % groups != 0 || conv.OutChannels % groups != 0)
        {
            errors.Add(new FieldError($"{path}.groups", $"must be at least 1 and divide both the input channels ({shape[0]}) and out_channels ({conv.OutChannels}), got {groups}"));
        }

        if (errors.Count > before || kernel is null || stride is null || padding is null || dilation is null)
        {
            return null;
        }

        var k = LayerGeometry.Kernel(conv);
        var s = LayerGeometry.Stride(conv);
        var p = LayerGeometry.Padding(conv);
        var d = LayerGeometry.Dilation(conv);
        var height = LayerGeometry.OutputSize(shape[1], k.Height, s.Height, p.Height, d.Height);
        var width = LayerGeometry.OutputSize(shape[2], k.Width, s.Width, p.Width, d.Width);
        return Positive(path, shape, height, width, errors) ? [conv.OutChannels, height, width] : null;
    }

    public static long[]? BatchNorm2d(BatchNorm2dLayer bn, string path, long[] shape, List<FieldError> errors)
    {
        if (!NeedsImage(path, shape, errors))
        {
            return null;
        }

        if (!(bn.Eps >= 0 && bn.Eps < 1))
        {
            errors.Add(new FieldError($"{path}.eps", $"must be at least 0 (0 means 1e-5) and below 1, got {bn.Eps}"));
        }

        if (!(bn.Momentum >= 0 && bn.Momentum <= 1))
        {
            errors.Add(new FieldError($"{path}.momentum", $"must be between 0 (0 means 0.1) and 1, got {bn.Momentum}"));
        }

        return shape;
    }

    public static long[]? Pool2d(Pool2dLayer pool, string path, long[] shape, List<FieldError> errors)
    {
        if (!NeedsImage(path, shape, errors))
        {
            return null;
        }

        var before = errors.Count;
        var kernel = Sizes(pool.KernelSize, $"{path}.kernel_size", required: true, minimum: 1, errors);
        var stride = Sizes(pool.Stride, $"{path}.stride", required: false, minimum: 1, errors);
        var padding = Sizes(pool.Padding, $"{path}.padding", required: false, minimum: 0, errors);
        if (errors.Count > before || kernel is null || stride is null || padding is null)
        {
            return null;
        }

        var k = LayerGeometry.Kernel(pool);
        var p = LayerGeometry.Padding(pool);
        if (p.Height * 2 > k.Height || p.Width * 2 > k.Width)
        {
            errors.Add(new FieldError($"{path}.padding", $"must be at most half the kernel size ({k.Height}x{k.Width})"));
            return null;
        }

        var s = LayerGeometry.Stride(pool);
        var height = LayerGeometry.OutputSize(shape[1], k.Height, s.Height, p.Height);
        var width = LayerGeometry.OutputSize(shape[2], k.Width, s.Width, p.Width);
        return Positive(path, shape, height, width, errors) ? [shape[0], height, width] : null;
    }

    public static long[]? Reshape(ReshapeLayer reshape, string path, long[] shape, List<FieldError> errors)
    {
        var total = ModelShapes.Elements(shape);
        if (reshape.Shape.Count == 0 || reshape.Shape.Count(d => d == -1) > 1 || reshape.Shape.Any(d => d == 0 || d < -1))
        {
            errors.Add(new FieldError($"{path}.shape", "must list positive sizes, with at most one -1 (inferred)"));
            return null;
        }

        // Saturating: sizes whose product overflows a long are simply more than the input holds (never a division by 0).
        var known = ModelShapes.Elements(reshape.Shape.Where(d => d > 0));
        var inferred = reshape.Shape.Contains(-1) && known <= total ? total / known : 1;
        if (known > total || total % known != 0 || known * inferred != total)
        {
            errors.Add(new FieldError($"{path}.shape", $"[{string.Join(", ", reshape.Shape)}] cannot hold the {total} values of [{string.Join(", ", shape)}]"));
            return null;
        }

        return [.. reshape.Shape.Select(d => d == -1 ? inferred : d)];
    }

    private static bool NeedsImage(string path, long[] shape, List<FieldError> errors)
    {
        if (shape.Length == 3)
        {
            return true;
        }

        errors.Add(new FieldError(path, $"needs an image input [channels, height, width] but gets [{string.Join(", ", shape)}]"));
        return false;
    }

    private static bool Positive(string path, long[] input, long height, long width, List<FieldError> errors)
    {
        if (height >= 1 && width >= 1)
        {
            return true;
        }

        errors.Add(new FieldError(path, $"window does not fit the input [{string.Join(", ", input)}]: the output would be {height}x{width}"));
        return false;
    }

    private static IReadOnlyList<long>? Sizes(IReadOnlyList<long> values, string path, bool required, long minimum, List<FieldError> errors)
    {
        if (values.Count == 0 && required)
        {
            errors.Add(new FieldError(path, "is required: one value (square) or two (height, width)"));
            return null;
        }

        if (values.Count > 2)
        {
            errors.Add(new FieldError(path, $"takes one value (square) or two (height, width), got {values.Count}"));
            return null;
        }

        if (values.Any(v => v < minimum || v > 4096))
        {
            errors.Add(new FieldError(path, $"values must be between {minimum} and 4096, got [{string.Join(", ", values)}]"));
            return null;
        }

        return values;
    }
}
