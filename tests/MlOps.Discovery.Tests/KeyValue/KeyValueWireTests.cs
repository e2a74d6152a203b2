using System.Net;
using MlOps.Discovery.Tests.Support;
using static MlOps.Discovery.Tests.Support.FakeConsulHandlerForTests;

namespace MlOps.Discovery.Tests.KeyValue;

public sealed class KeyValueWireTests
{
    [Fact]
    public async Task GetKeyAsync_Missing_ReturnsNullValueWithIndex()
    {
        var handler = new FakeConsulHandlerForTests(_ =>
        {
            var response = Text(HttpStatusCode.NotFound, "");
            response.Headers.Add("X-Consul-Index", "33");
            return response;
        });
        using var client = Client(handler);

        var result = await client.GetKeyAsync("service/coordinator/leader");

        Assert.Null(result.Value);
        Assert.Equal(33UL, result.Index);
        Assert.Equal("/v1/kv/service/coordinator/leader", handler.Requests.Single().PathAndQuery);
    }

    [Fact]
    public async Task GetKeyAsync_Locked_DecodesBase64AndSession()
    {
        var handler = new FakeConsulHandlerForTests(_ => Json("""
            [{"LockIndex":2,"Key":"a/b","Flags":7,"Value":"aGVsbG8=","Session":"adf4238a-882b-9ddc-4a9d-5b6758e4159e","CreateIndex":5,"ModifyIndex":9}]
            """, index: 9));
        using var client = Client(handler);

        var entry = (await client.GetKeyAsync("a/b")).Value!;

        Assert.Equal("hello", entry.ValueAsString());
        Assert.Equal(("adf4238a-882b-9ddc-4a9d-5b6758e4159e", 2UL, 9UL, 7UL), (entry.Session, entry.LockIndex, entry.ModifyIndex, entry.Flags));
        Assert.True(entry.IsLocked);
    }

    [Fact]
    public async Task PutKeyAsync_Cas_SendsRawBytesAndCasIndex()
    {
        var handler = new FakeConsulHandlerForTests(_ => Json("false"));
        using var client = Client(handler);

        var written = await client.PutKeyAsync("/jobs/a b", "v1"u8.ToArray(), cas: 0);

        Assert.False(written);
        var request = handler.Requests.Single();
        Assert.Equal("/v1/kv/jobs/a%20b?cas=0", request.PathAndQuery);
        Assert.Equal("v1", request.Body);
    }

    [Fact]
    public async Task AcquireAndRelease_Session_SendQueryAndValue()
    {
        var handler = new FakeConsulHandlerForTests(_ => Json("true"));
        using var client = Client(handler);

        Assert.True(await client.AcquireKeyAsync("lock", "adf4238a-882b-9ddc-4a9d-5b6758e4159e", "me"u8.ToArray()));
        Assert.True(await client.ReleaseKeyAsync("lock", "adf4238a-882b-9ddc-4a9d-5b6758e4159e", "me"u8.ToArray()));

        Assert.Equal(["/v1/kv/lock?acquire=adf4238a-882b-9ddc-4a9d-5b6758e4159e", "/v1/kv/lock?release=adf4238a-882b-9ddc-4a9d-5b6758e4159e"], handler.Requests.Select(r => r.PathAndQuery));
        Assert.All(handler.Requests, r => Assert.Equal("me", r.Body));
    }

    [Fact]
    public async Task DeleteKeyAsync_CasZero_ThrowsBeforeSending()
    {
        var handler = new FakeConsulHandlerForTests(_ => Json("true"));
        using var client = Client(handler);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.DeleteKeyAsync("k", cas: 0));

        Assert.Empty(handler.Requests);
    }

    private static ConsulClient Client(FakeConsulHandlerForTests handler) =>
        new(new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan }, new ConsulOptions { Address = "http://consul.test:8500" });
}
