using MlOps.Contracts.Inference;

namespace MlOps.Client.Inference.Inputs;

/// <summary>
/// Where an image goes in a model input's shape: its height, width and channel count, whether channels come
/// last, and the concrete shape to send (batch 1, dynamic height and width taken from the image).
/// </summary>
internal sealed record ImageLayout(long[] Shape, int Height, int Width, int Channels, bool ChannelsLast)
{
    // Bounds the float buffer a hostile or mistaken model shape could ask for (256 MiB of FP32).
    private const long MaxElements = 1L << 26;

    /// <summary>
    /// Reads the layout from a model input's shape. A leading -1 (or 1) is the batch. What follows is
    /// <c>[C, H, W]</c> or <c>[H, W, C]</c> with C = 1 or 3, <c>[H, W]</c>, or <c>[H·W]</c> for a square image.
    /// A -1 height or width takes the image's own.
    /// </summary>
    public static ImageLayout From(ModelMetadataResponse.Types.TensorMetadata input, GrayscaleImage image)
    {
        var dims = input.Shape.ToArray();
        var field = $"input '{input.Name}'";
        var shapeText = $"[{string.Join(",", dims)}]";
        InferenceInputException Unfit(string why) => new(field, $"shape {shapeText} cannot take an image: {why}");

        if (dims.Length == 0)
        {
            throw Unfit("it is a scalar");
        }

        if (dims.Any(d => d < -1 || d == 0))
        {
            throw Unfit("it has a zero or negative dimension");
        }

        var batched = dims.Length >= 2 && dims[0] is -1 or 1;
        var shape = (long[])dims.Clone();
        if (batched)
        {
            shape[0] = 1;
        }

        var sample = dims.AsSpan(batched ? 1 : 0);
        var offset = batched ? 1 : 0;
        switch (sample.Length)
        {
            case 3 when sample[0] is 1 or 3:
                return Build(shape, offset + 1, offset + 2, (int)sample[0], channelsLast: false);
            case 3 when sample[2] is 1 or 3:
                return Build(shape, offset, offset + 1, (int)sample[2], channelsLast: true);
            case 3:
                throw Unfit("no channel dimension of 1 or 3 first or last");
            case 2:
                return Build(shape, offset, offset + 1, channels: 1, channelsLast: false);
            case 1:
                var side = sample[0] > 0 ? (long)Math.Round(Math.Sqrt(sample[0])) : 0;
                if (side * side != sample[0])
                {
                    throw Unfit($"{sample[0]} features are not a square image (height and width cannot be derived)");
                }

                Check(shape);
                return new ImageLayout(shape, (int)side, (int)side, 1, ChannelsLast: false);
            default:
                throw Unfit($"{sample.Length} dimensions after the batch; expected [H·W], [H,W], [C,H,W] or [H,W,C]");
        }

        ImageLayout Build(long[] concrete, int heightAt, int widthAt, int channels, bool channelsLast)
        {
            if (concrete[heightAt] == -1)
            {
                concrete[heightAt] = image.Height;
            }

            if (concrete[widthAt] == -1)
            {
                concrete[widthAt] = image.Width;
            }

            Check(concrete);
            return new ImageLayout(concrete, (int)concrete[heightAt], (int)concrete[widthAt], channels, channelsLast);
        }

        void Check(long[] concrete)
        {
            var elements = 1L;
            foreach (var d in concrete)
            {
                elements = d <= MaxElements ? elements * d : MaxElements + 1;
                if (elements > MaxElements)
                {
                    throw Unfit($"more than {MaxElements} elements");
                }
            }
        }
    }

    /// <summary>Elements in one image: height × width × channels.</summary>
    public int ElementCount => Height * Width * Channels;
}
