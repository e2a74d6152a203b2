using System.Text;
using MlOps.LoadTest.Transports;

namespace MlOps.LoadTest.Tests.Transports;

public class Http1HeadTests
{
    private static (int, long, bool, bool) Parse(string head) => Http1Head.Parse(Encoding.ASCII.GetBytes(head));

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 12", 200, 12L, false, false)]
    [InlineData("HTTP/1.1 200 OK\r\ncontent-length:7\r\nConnection: close", 200, 7L, false, true)]
    [InlineData("HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked", 503, -1L, true, false)]
    [InlineData("HTTP/1.1 204 No Content", 204, 0L, false, false)]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 1", 200, 1L, false, true)]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 1\r\nConnection: keep-alive", 200, 1L, false, false)]
    [InlineData("HTTP/1.1 200 OK\r\nServer: x", 200, -1L, false, false)]
    public void Parse_Head_StatusLengthChunkedClose(string head, int status, long length, bool chunked, bool close) =>
        Assert.Equal((status, length, chunked, close), Parse(head));

    [Theory]
    [InlineData("SSH-2.0-OpenSSH")]
    [InlineData("HTTP/2 200")]
    [InlineData("HTTP/1.1 2x0 OK")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: -3")]
    public void Parse_NotHttp1_Throws(string head) => Assert.Throws<IOException>(() => Parse(head));

    [Theory]
    [InlineData("1f", 31L)]
    [InlineData("0", 0L)]
    [InlineData("A;name=value", 10L)]
    public void ChunkSize_HexLine_Size(string line, long size) => Assert.Equal(size, Http1Head.ChunkSize(Encoding.ASCII.GetBytes(line)));

    [Fact]
    public void ChunkSize_NotHex_Throws() => Assert.Throws<IOException>(() => Http1Head.ChunkSize("zz"u8));
}
