using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MlOps.Testing;

/// <summary>
/// A real Prometheus server (Debian package <c>prometheus</c>, <c>/usr/bin/prometheus</c>) on 127.0.0.1 and a free
/// port, scraping the given targets every second, with its configuration and TSDB in a temporary directory; killed
/// and removed on dispose. Ready once <c>/-/ready</c> answers 200.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    /// <summary>Where the Debian package installs the server.</summary>
    public const string Binary = "/usr/bin/prometheus";

    private readonly Process _process;
    private readonly TempDirectory _directory;
    private readonly StringBuilder _output = new();
    private readonly HttpClient _http;

    private PrometheusServer(Process process, TempDirectory directory, int port)
    {
        _process = process;
        _directory = directory;
        Address = $"http://127.0.0.1:{port}";
        _http = new HttpClient { BaseAddress = new Uri(Address), Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>Why no server can be started on this machine, or null when one can (skip tests with it).</summary>
    public static string? MissingReason { get; } = File.Exists(Binary)
        ? null
        : $"Prometheus is not installed (no {Binary}): run scripts/test.sh, which installs the Debian package prometheus";

    /// <summary>The HTTP API and UI, e.g. <c>http://127.0.0.1:PORT</c>.</summary>
    public string Address { get; }

    /// <summary>What the server printed so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts a server scraping each job's targets (<c>HOST:PORT</c>, path <c>/metrics</c>) every second.</summary>
    public static async Task<PrometheusServer> StartAsync(IReadOnlyDictionary<string, string[]> scrapeJobs, TimeSpan? timeout = null)
    {
        if (MissingReason is not null)
        {
            throw new InvalidOperationException(MissingReason);
        }

        var directory = new TempDirectory("mlops-prometheus");
        var port = FreePort.Next();
        var config = directory.Combine("prometheus.yml");
        await File.WriteAllTextAsync(config, Config(scrapeJobs));
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory.Path,
        };
        foreach (var argument in new[]
        {
            $"--config.file={config}",
            $"--storage.tsdb.path={directory.Combine("data")}",
            $"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("prometheus did not start");
        var server = new PrometheusServer(process, directory, port);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitReadyAsync(timeout ?? TimeSpan.FromSeconds(30));
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Runs an instant query (<c>/api/v1/query</c>) and returns each series of the vector result as its labels and value;
    /// an empty list when nothing matches yet.
    /// </summary>
    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>> QueryAsync(string query)
    {
        using var response = await _http.GetAsync("/api/v1/query?query=" + Uri.EscapeDataString(query));
        var body = await response.Content.ReadAsStringAsync();
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(body);
        var data = json.RootElement.GetProperty("data");
        if (data.GetProperty("resultType").GetString() != "vector")
        {
            throw new InvalidOperationException($"expected a vector result for '{query}': {body}");
        }

        var series = new List<(IReadOnlyDictionary<string, string>, double)>();
        foreach (var item in data.GetProperty("result").EnumerateArray())
        {
            var labels = item.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
            var value = item.GetProperty("value")[1].GetString() ?? "NaN";
            series.Add((labels, double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture)));
        }

        return series;
    }

    /// <summary>The scrape targets' health as Prometheus sees them (<c>/api/v1/targets</c>), for failure messages.</summary>
    public async Task<string> TargetsAsync()
    {
        try
        {
            return await _http.GetStringAsync("/api/v1/targets?state=active");
        }
        catch (HttpRequestException ex)
        {
            return "targets unavailable: " + ex.Message;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _process.Dispose();
        _directory.Dispose();
    }

    private static string Config(IReadOnlyDictionary<string, string[]> scrapeJobs)
    {
        var yaml = new StringBuilder()
            .Append("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\nscrape_configs:\n");
        foreach (var (job, targets) in scrapeJobs)
        {
            yaml.Append("  - job_name: ").Append(job).Append('\n')
                .Append("    static_configs:\n      - targets: [")
                .AppendJoin(", ", targets.Select(t => "'" + t + "'"))
                .Append("]\n");
        }

        return yaml.ToString();
    }

    private async Task WaitReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"prometheus exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await _http.GetAsync("/-/ready");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"prometheus was not ready within {timeout}:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
