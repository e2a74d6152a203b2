using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace MlOps.Testing;

/// <summary>
/// A real Consul dev agent (server, in-memory state) on 127.0.0.1 with every port (HTTP, DNS, serf LAN/WAN,
/// server RPC, gRPC) on a free one, so tests run in parallel; killed on dispose. Ready once a Raft leader is elected
/// and the agent's node is in the catalog. The binary comes from
/// <c>$MLOPS_CONSUL</c> or <c>.tools/consul/consul</c> under the repository root, which
/// <c>scripts/fetch-consul.sh</c> puts there (Consul 1.8.7 from Debian 11).
/// </summary>
public sealed class ConsulAgent : IAsyncDisposable
{
    public const string BinaryVariable = "MLOPS_CONSUL";

    /// <summary>The shortest session TTL this agent accepts (Consul's default minimum is 10 s); lets lock tests
    /// fail over in seconds.</summary>
    public static readonly TimeSpan SessionTtlMin = TimeSpan.FromSeconds(1);

    private readonly Process _process;
    private readonly TempDirectory _directory;
    private readonly StringBuilder _output = new();

    private ConsulAgent(Process process, TempDirectory directory, int httpPort, string nodeName, string? aclMasterToken)
    {
        _process = process;
        _directory = directory;
        HttpPort = httpPort;
        NodeName = nodeName;
        AclMasterToken = aclMasterToken;
        Address = $"http://127.0.0.1:{httpPort}";
    }

    /// <summary>The HTTP API, e.g. <c>http://127.0.0.1:PORT</c>.</summary>
    public string Address { get; }

    public int HttpPort { get; }

    public string NodeName { get; }

    /// <summary>The ACL master token when started with ACLs on (default policy deny), else null.</summary>
    public string? AclMasterToken { get; }

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

    /// <param name="aclMasterToken">Turns ACLs on with default policy deny and this master token.</param>
    public static async Task<ConsulAgent> StartAsync(string? aclMasterToken = null)
    {
        var binary = FindBinary();
        for (var attempt = 1; ; attempt++)
        {
            var agent = await LaunchAsync(binary, aclMasterToken);
            try
            {
                await agent.WaitUntilReadyAsync(TimeSpan.FromSeconds(30));
                return agent;
            }
            catch (InvalidOperationException) when (attempt < 3 && agent.Output.Contains("address already in use", StringComparison.Ordinal))
            {
                // Another process took one of the ports between the check and Consul's bind: new ports.
                await agent.DisposeAsync();
            }
            catch
            {
                await agent.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary><c>$MLOPS_CONSUL</c> if set, else <c>.tools/consul/consul</c> under the repository root.</summary>
    public static string FindBinary()
    {
        var configured = Environment.GetEnvironmentVariable(BinaryVariable);
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(configured)
                ? configured
                : throw new FileNotFoundException($"{BinaryVariable}={configured} does not exist", configured);
        }

        var path = Path.Combine(BuiltBinaries.RepoRoot, ".tools", "consul", "consul");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} not found: run scripts/fetch-consul.sh (or set {BinaryVariable} to a Consul 1.8 binary)", path);
    }

    /// <summary>SIGKILL: the agent dies without leaving, as in a crash; its in-memory state is gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
        _directory.Dispose();
    }

    /// <summary>Ready means a Raft leader is elected (<c>/v1/status/leader</c> not empty) and, with ACLs, the master
    /// token is accepted (it is bootstrapped right after the election).</summary>
    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var started = Stopwatch.StartNew();
        var stage = "leader";
        while (started.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"consul exited with code {_process.ExitCode}. Output:\n{Output}");
            }

            try
            {
                var leader = await http.GetStringAsync(Address + "/v1/status/leader");
                if (leader.Trim().Trim('"').Length > 0)
                {
                    stage = "node";
                    using var request = new HttpRequestMessage(HttpMethod.Get, $"{Address}/v1/catalog/node/{NodeName}");
                    if (AclMasterToken is not null)
                    {
                        request.Headers.Add("X-Consul-Token", AclMasterToken);
                    }

                    // The node registers itself just after the election; services registered before that race it.
                    using var response = await http.SendAsync(request);
                    if (response.IsSuccessStatusCode && (await response.Content.ReadAsStringAsync()).Trim() != "null")
                    {
                        return;
                    }
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"consul at {Address} was not ready (waiting for {stage}) within {timeout}. Output:\n{Output}");
    }

    private static async Task<ConsulAgent> LaunchAsync(string binary, string? aclMasterToken)
    {
        var directory = new TempDirectory("mlops-consul");
        var ports = PickPorts(6);
        var nodeName = "mlops-test-" + Guid.NewGuid().ToString("n")[..8];
        var config = new Dictionary<string, object>
        {
            ["node_name"] = nodeName,
            ["disable_update_check"] = true,
            ["log_level"] = "info",
            ["session_ttl_min"] = $"{(int)SessionTtlMin.TotalSeconds}s",
            ["ports"] = new Dictionary<string, int>
            {
                ["http"] = ports[0], ["dns"] = ports[1], ["serf_lan"] = ports[2],
                ["serf_wan"] = ports[3], ["server"] = ports[4], ["grpc"] = ports[5],
            },
        };
        if (aclMasterToken is not null)
        {
            config["primary_datacenter"] = "dc1";
            config["acl"] = new Dictionary<string, object>
            {
                ["enabled"] = true,
                ["default_policy"] = "deny",
                ["tokens"] = new Dictionary<string, string> { ["master"] = aclMasterToken, ["agent"] = aclMasterToken },
            };
        }

        var configFile = directory.Combine("consul.json");
        await File.WriteAllTextAsync(configFile, JsonSerializer.Serialize(config));

        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "agent", "-dev", "-bind", "127.0.0.1", "-client", "127.0.0.1", "-config-file", configFile })
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        var agent = new ConsulAgent(process, directory, ports[0], nodeName, aclMasterToken);
        process.OutputDataReceived += (_, e) => agent.Append(e.Data);
        process.ErrorDataReceived += (_, e) => agent.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return agent;
    }

    /// <summary>Ports free on TCP and UDP (serf uses both), from <see cref="FreePort"/>'s range below the ephemeral
    /// ports, so no outgoing connection of a parallel test takes one before Consul binds it.</summary>
    private static int[] PickPorts(int count) => [.. Enumerable.Range(0, count).Select(_ => FreePort.Next(udp: true))];

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
