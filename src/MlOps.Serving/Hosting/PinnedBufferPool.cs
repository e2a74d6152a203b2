using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.InteropServices;

namespace MlOps.Serving.Hosting;

/// <summary>
/// Byte arrays on the pinned object heap, in power-of-two sizes from 4 KiB, kept for reuse: a batch's stacked
/// inputs are copied into one and ONNX Runtime reads them in place. Pinned arrays never move, so their address
/// can be handed to an OrtValue without a GCHandle. Each model version has its own pool, so unloading a version
/// lets the GC take its buffers.
/// </summary>
internal sealed class PinnedBufferPool
{
    private const int MinShift = 12;
    private const int MaxShift = 30;
    private const int KeepPerSize = 4;

    private readonly ConcurrentBag<byte[]>[] _sizes = [.. Enumerable.Range(0, MaxShift - MinShift + 1).Select(_ => new ConcurrentBag<byte[]>())];

    /// <summary>A pinned array of at least <paramref name="length"/> bytes (contents undefined).</summary>
    public byte[] Rent(int length)
    {
        var shift = Math.Max(MinShift, 32 - BitOperations.LeadingZeroCount((uint)Math.Max(1, length) - 1));
        if (shift > MaxShift)
        {
            return GC.AllocateUninitializedArray<byte>(length, pinned: true);
        }

        return _sizes[shift - MinShift].TryTake(out var array)
            ? array
            : GC.AllocateUninitializedArray<byte>(1 << shift, pinned: true);
    }

    public void Return(byte[] array)
    {
        if (!BitOperations.IsPow2(array.Length))
        {
            return;
        }

        var shift = BitOperations.Log2((uint)array.Length);
        if (shift is >= MinShift and <= MaxShift && _sizes[shift - MinShift].Count < KeepPerSize)
        {
            _sizes[shift - MinShift].Add(array);
        }
    }

    /// <summary>The address of an array rented from this pool.</summary>
    public static nint AddressOf(byte[] pinnedArray) => Marshal.UnsafeAddrOfPinnedArrayElement(pinnedArray, 0);
}
