namespace MlOps.Serving.Protocol.Tensors;

/// <summary>bfloat16 is the upper half of an IEEE float32; .NET has no type for it, so JSON tensors convert here.</summary>
internal static class BFloat16
{
    /// <summary>Rounds to nearest even, as PyTorch and ONNX Runtime do; NaN stays a quiet NaN.</summary>
    public static ushort FromSingle(float value)
    {
        if (float.IsNaN(value))
        {
            return 0x7FC0;
        }

        var bits = BitConverter.SingleToUInt32Bits(value);
        var rounding = 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }

    public static float ToSingle(ushort value) => BitConverter.UInt32BitsToSingle((uint)value << 16);
}
