using System.Text;
using Google.Protobuf;
using MlOps.Contracts.Inference;

namespace MlOps.Serving.Tests.Protocol.Support;

/// <summary>
/// One sample tensor of three elements per datatype, in every form the protocol carries it: typed gRPC contents
/// (null for FP16/BF16, which have none), JSON data, and the expected raw little-endian bytes, built here
/// independently of the code under test.
/// </summary>
internal sealed record DataTypeSample(string DataType, InferTensorContents? Typed, string Json, byte[] Raw)
{
    public static IReadOnlyList<DataTypeSample> All { get; } =
    [
        new("BOOL", new() { BoolContents = { true, false, true } }, "[true,false,true]", [1, 0, 1]),
        new("INT8", new() { IntContents = { -128, 0, 127 } }, "[-128,0,127]", [0x80, 0, 0x7F]),
        new("INT16", new() { IntContents = { short.MinValue, 1, short.MaxValue } }, "[-32768,1,32767]", Le(2, short.MinValue, 1, short.MaxValue)),
        new("INT32", new() { IntContents = { int.MinValue, 5, int.MaxValue } }, "[-2147483648,5,2147483647]", Le(4, int.MinValue, 5, int.MaxValue)),
        new("INT64", new() { Int64Contents = { long.MinValue, 5, long.MaxValue } }, "[-9223372036854775808,5,9223372036854775807]", Le(8, long.MinValue, 5, long.MaxValue)),
        new("UINT8", new() { UintContents = { 0, 1, 255 } }, "[0,1,255]", [0, 1, 255]),
        new("UINT16", new() { UintContents = { 0, 7, ushort.MaxValue } }, "[0,7,65535]", Le(2, 0, 7, ushort.MaxValue)),
        new("UINT32", new() { UintContents = { 0, 7, uint.MaxValue } }, "[0,7,4294967295]", Le(4, 0, 7, uint.MaxValue)),
        new("UINT64", new() { Uint64Contents = { 0, 7, ulong.MaxValue } }, "[0,7,18446744073709551615]", U64(0, 7, ulong.MaxValue)),
        new("FP16", null, "[1.5,-2,65504]", Half16((Half)1.5f, (Half)(-2f), Half.MaxValue)),
        new("FP32", new() { Fp32Contents = { 1.5f, -2f, 3.25e10f } }, "[1.5,-2,32500000000]", F32(1.5f, -2f, 3.25e10f)),
        new("FP64", new() { Fp64Contents = { 1.5, -2, 1e300 } }, "[1.5,-2,1E+300]", F64(1.5, -2, 1e300)),
        new("BF16", null, "[1.5,-2,256]", [0xC0, 0x3F, 0x00, 0xC0, 0x80, 0x43]),
        new("BYTES", new() { BytesContents = { ByteString.CopyFromUtf8("a"), ByteString.Empty, ByteString.CopyFromUtf8("héllo") } },
            "[\"a\",\"\",\"héllo\"]", Strings("a", "", "héllo")),
    ];

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var sample in All)
        {
            data.Add(sample.DataType);
        }

        return data;
    }

    public static DataTypeSample Of(string dataType) => All.Single(s => s.DataType == dataType);

    /// <summary>Signed values truncated to <paramref name="size"/> little-endian bytes (two's complement).</summary>
    private static byte[] Le(int size, params long[] values) =>
        values.SelectMany(v => BitConverter.GetBytes(v).Take(size)).ToArray();

    private static byte[] U64(params ulong[] values) => values.SelectMany(v => BitConverter.GetBytes(v)).ToArray();

    private static byte[] Half16(params Half[] values) => values.SelectMany(v => BitConverter.GetBytes(v)).ToArray();

    private static byte[] F32(params float[] values) => values.SelectMany(v => BitConverter.GetBytes(v)).ToArray();

    private static byte[] F64(params double[] values) => values.SelectMany(v => BitConverter.GetBytes(v)).ToArray();

    private static byte[] Strings(params string[] values) =>
        values.SelectMany(v => BitConverter.GetBytes((uint)Encoding.UTF8.GetByteCount(v)).Concat(Encoding.UTF8.GetBytes(v))).ToArray();
}
