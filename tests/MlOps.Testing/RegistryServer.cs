using System.Diagnostics;
using System.Text;
using MlOps.Core.Digests;

namespace MlOps.Testing;

/// <summary>
/// A real CNCF distribution registry (Debian package <c>docker-registry</c>) on 127.0.0.1 and a free port, with
/// filesystem storage in a temporary directory and deletes enabled; killed and removed on dispose.
/// </summary>
public sealed class RegistryServer : IAsyncDisposable
{
    private const string Binary = "docker-registry";

    private readonly Process _process;
    private readonly TempDirectory _directory;
    private readonly StringBuilder _output = new();

    private RegistryServer(Process process, TempDirectory directory, int port)
    {
        _process = process;
        _directory = directory;
        Url = $"http://127.0.0.1:{port}";
    }

    public string Url { get; }

    /// <summary>The storage driver's root directory (what <c>storage.filesystem.rootdirectory</c> names).</summary>
    public string StorageRoot => _directory.Combine("storage");

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

    /// <summary>Where the registry keeps a blob's bytes: <c>docker/registry/v2/blobs/sha256/xx/&lt;hex&gt;/data</c>.</summary>
    public string BlobDataPath(string digest)
    {
        var hex = digest[Sha256Digest.Prefix.Length..];
        return Path.Combine(StorageRoot, "docker", "registry", "v2", "blobs", "sha256", hex[..2], hex, "data");
    }

    /// <param name="authSection">YAML lines of the <c>auth:</c> section (indented two spaces), or null for none.</param>
    public static async Task<RegistryServer> StartAsync(string? authSection = null)
    {
        var binary = FindBinary() ?? throw new InvalidOperationException(
            $"'{Binary}' is not installed: run scripts/test.sh, which installs the Debian package docker-registry (or apt-get install docker-registry)");
        var directory = new TempDirectory("mlops-registry");
        var port = FreePort.Next();
        var config = directory.Combine("config.yml");
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: warn
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: {directory.Combine("storage")}
              delete:
                enabled: true
              maintenance:
                uploadpurging:
                  enabled: false
            http:
              addr: 127.0.0.1:{port}
              secret: mlops-test-{Guid.NewGuid():n}
            {(authSection is null ? string.Empty : "auth:\n" + authSection)}
            """);
        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add(config);
        var process = new Process { StartInfo = start };
        var server = new RegistryServer(process, directory, port);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilAnsweringAsync(TimeSpan.FromSeconds(15));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    private async Task WaitUntilAnsweringAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var started = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Binary} exited with code {_process.ExitCode}. Output:\n{Output}");
            }

            try
            {
                // Any answer (200, or 401 with auth on) means the server is up.
                using var _ = await http.GetAsync(Url + "/v2/");
                return;
            }
            catch (HttpRequestException) when (started.Elapsed < timeout)
            {
                await Task.Delay(50);
            }
            catch (HttpRequestException e)
            {
                throw new TimeoutException($"{Binary} did not answer on {Url} within {timeout}. Output:\n{Output}", e);
            }
        }
    }

    private static string? FindBinary() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':')
            .Select(dir => Path.Combine(dir, Binary))
            .FirstOrDefault(File.Exists);

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

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
        _directory.Dispose();
    }
}
