using System.Net;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Coordinator.Tests.Infrastructure;
using MlOps.Coordinator.Tests.TestData;
using MlOps.Testing;

namespace MlOps.Coordinator.Tests.Metrics;

public sealed class CoordinatorMetricsListenerTests
{
    [Fact]
    public async Task MetricsListen_Http11Scrape_ServesThePageAndNothingElse()
    {
        using var directory = new TempDirectory();
        var dataset = FourPixelDataset.Write(directory.Combine("tiny"));
        var port = FreePort.Next();
        await using var host = await CoordinatorHost.StartAsync(directory.Combine("data"), dataset, $"--Coordinator:MetricsListen=http://127.0.0.1:{port}");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        using var response = await http.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        using var other = await http.GetAsync("/v1/jobs");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new Version(1, 1), response.Version);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var page = PrometheusText.Parse(text);
        Assert.Equal(1, Assert.Single(page["mlops_coordinator_leader"].Samples).Value);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    [Fact]
    public async Task MetricsListen_Empty_NoListener()
    {
        using var directory = new TempDirectory();
        var dataset = FourPixelDataset.Write(directory.Combine("tiny"));
        await using var host = await CoordinatorHost.StartAsync(directory.Combine("data"), dataset);

        Assert.Null(host.Services.GetRequiredService<MlOps.ServiceDefaults.Metrics.MetricsListener>().Address);
    }
}
