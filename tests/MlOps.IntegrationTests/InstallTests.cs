using Grpc.Net.Client;
using MlOps.Contracts;
using MlOps.Testing;

namespace MlOps.IntegrationTests;

/// <summary>
/// scripts/install.sh and scripts/uninstall.sh into a temporary root, checked file by file, and the installed services
/// started with their units' command lines (there is no systemd as PID 1 here). The bundle given to <c>--from</c> is
/// the solution's framework-dependent build output, so no publish runs in the tests: the layout and the scripts are the
/// same as for a self-contained bundle.
/// </summary>
[Trait("Category", "Integration")]
[Collection(ClusterCollection.Name)]
public sealed class InstallTests(InstallTests.Installed installed)
    : IClassFixture<InstallTests.Installed>
{
    [Fact]
    public void Install_IntoTempPrefix_PlacesEveryFile()
    {
        var root = installed.Prefix;
        foreach (var (role, exe) in new[] { ("coordinator", "MlOps.Coordinator"), ("agent", "MlOps.Agent"), ("cli", "mlops") })
        {
            var current = root.Combine("opt", "mlops", role, "current");
            Assert.Equal("v1", new FileInfo(current).LinkTarget);
            Assert.True(File.Exists(Path.Combine(current, exe)), $"{role}: {exe} missing");
            Assert.True(File.Exists(Path.Combine(current, exe + ".dll")), $"{role}: {exe}.dll missing");
            Assert.True(!OperatingSystem.IsWindows() && File.GetUnixFileMode(Path.Combine(current, exe)).HasFlag(UnixFileMode.UserExecute), $"{role}: {exe} not executable");
        }

        foreach (var role in new[] { "coordinator", "agent" })
        {
            var settings = root.Combine("opt", "mlops", role, "v1", "appsettings.json");
            Assert.Equal($"../../../../etc/mlops/{role}.json", new FileInfo(settings).LinkTarget);
            Assert.Equal(File.ReadAllText(root.Combine("etc", "mlops", $"{role}.json")), File.ReadAllText(settings));
            Assert.Equal(
                File.ReadAllText(Path.Combine(BuiltBinaries.RepoRoot, "packaging", "systemd", $"mlops-{role}.service")),
                File.ReadAllText(root.Combine("etc", "systemd", "system", $"mlops-{role}.service")));
            Assert.True(File.Exists(root.Combine("etc", "mlops", $"{role}.env")));
            Assert.True(Directory.Exists(root.Combine("var", "lib", "mlops", role)));
        }

        Assert.Contains("\"CoordinatorAddress\": \"http://10.0.0.1:7070\"", File.ReadAllText(root.Combine("etc", "mlops", "agent.json")));
        Assert.Equal("../../../opt/mlops/cli/current/mlops", new FileInfo(root.Combine("usr", "local", "bin", "mlops")).LinkTarget);
        Assert.True(File.Exists(root.Combine("usr", "local", "bin", "mlops")), "the mlops link does not resolve");
        Assert.Contains("no user created, no systemctl run", installed.FirstOutput);
    }

    [Fact]
    public async Task Units_InstalledTree_PassSystemdAnalyzeVerify()
    {
        // verify checks that ExecStart exists at its absolute path, so it runs with --root at the temporary root. The
        // units it pulls in (multi-user.target, ...) are looked up there too: the host's come in through links.
        var root = installed.Prefix;
        Directory.CreateDirectory(root.Combine("usr", "lib"));
        if (!Path.Exists(root.Combine("usr", "lib", "systemd")))
        {
            File.CreateSymbolicLink(root.Combine("usr", "lib", "systemd"), "/usr/lib/systemd");
        }

        if (!Path.Exists(root.Combine("lib")))
        {
            File.CreateSymbolicLink(root.Combine("lib"), "usr/lib");
        }

        var (code, output) = await RunAsync("systemd-analyze", ["verify", $"--root={root.Path}", "mlops-coordinator.service", "mlops-agent.service"]);

        // The host's own alias links are reported as unresolvable under a foreign root; only lines about our units count.
        var ours = output.Split('\n')
            .Where(l => l.Contains("mlops-coordinator", StringComparison.Ordinal) || l.Contains("mlops-agent", StringComparison.Ordinal))
            .ToList();
        Assert.True(code == 0 && ours.Count == 0, $"systemd-analyze verify exited {code}:\n{string.Join('\n', ours)}\n{output}");
    }

    [Fact]
    public async Task Install_SecondRunSameBinaries_ChangesNothing()
    {
        var before = Snapshot(installed.Prefix.Path);

        var output = await installed.InstallAsync("agent", installed.Bundle);

        Assert.Contains("unchanged", output);
        Assert.DoesNotContain("installed ", output);
        Assert.DoesNotContain("created ", output);
        Assert.DoesNotContain("replaced ", output);
        Assert.Equal(before, Snapshot(installed.Prefix.Path));
    }

    [Fact]
    public async Task UpgradeThenUninstall_KeepsConfigAndState_PurgeRemovesThem()
    {
        using var prefix = new TempDirectory("mlops-install-upgrade");
        await installed.InstallAsync("coordinator", installed.Bundle, prefix.Path);
        var config = prefix.Combine("etc", "mlops", "coordinator.json");
        var state = prefix.Combine("var", "lib", "mlops", "coordinator", "coordinator.db");
        File.WriteAllText(config, "{ \"Coordinator\": { \"Listen\": \"http://127.0.0.1:7999\" } }");
        File.WriteAllText(state, "state");

        var upgrade = installed.Bundle2();
        var output = await installed.InstallAsync("coordinator", upgrade, prefix.Path);

        Assert.Contains("kept       " + config, output);
        Assert.Equal("v2", new FileInfo(prefix.Combine("opt", "mlops", "coordinator", "current")).LinkTarget);
        Assert.True(Directory.Exists(prefix.Combine("opt", "mlops", "coordinator", "v1")), "the previous version is kept for a rollback");
        Assert.Contains("7999", File.ReadAllText(config));
        Assert.Contains("7999", File.ReadAllText(prefix.Combine("opt", "mlops", "coordinator", "current", "appsettings.json")));
        Assert.Equal("state", File.ReadAllText(state));

        await RunScriptAsync("uninstall.sh", ["--role", "coordinator", "--prefix", prefix.Path]);

        Assert.False(Directory.Exists(prefix.Combine("opt", "mlops")), "binaries left behind");
        Assert.False(File.Exists(prefix.Combine("etc", "systemd", "system", "mlops-coordinator.service")));
        Assert.False(Path.Exists(prefix.Combine("usr", "local", "bin", "mlops")));
        Assert.Contains("7999", File.ReadAllText(config));
        Assert.Equal("state", File.ReadAllText(state));

        await RunScriptAsync("uninstall.sh", ["--role", "coordinator", "--prefix", prefix.Path, "--purge"]);

        Assert.False(Path.Exists(config));
        Assert.False(Path.Exists(prefix.Combine("etc", "mlops", "coordinator.env")));
        Assert.False(Path.Exists(prefix.Combine("var", "lib", "mlops", "coordinator")));
    }

    [Fact]
    public async Task InstalledServices_StartedWithTheirUnitsCommandLines_AgentConnectsOverMutualTlsWithAuthentication()
    {
        var port = FreePort.Next();
        var address = $"https://127.0.0.1:{port}";
        // The units read these files through EnvironmentFile=; here they are passed to the processes the same way. The
        // installed settings (mutual TLS, authentication on) are kept: only the port and the certificate paths, which
        // the settings give under /etc/mlops/tls, are pointed at this temporary root, where `mlops certs` would put them.
        using var pki = new ClusterPki(installed.Prefix.Combine("etc", "mlops", "tls"));
        var coordinatorFiles = pki.Issue("coordinator", MlOps.Core.Certificates.ClusterRole.Coordinator);
        var agentFiles = pki.Issue("installed", MlOps.Core.Certificates.ClusterRole.Agent);
        static string Tls(string section, MlOps.Core.Certificates.TlsFiles files) =>
            $"{section}__Tls__CertificateFile={files.CertificateFile}\n{section}__Tls__KeyFile={files.KeyFile}\n{section}__Tls__AuthorityFile={files.AuthorityFile}\n";
        File.AppendAllText(installed.Prefix.Combine("etc", "mlops", "coordinator.env"), $"Coordinator__Listen=https://*:{port}\n" + Tls("Coordinator", coordinatorFiles));
        File.AppendAllText(installed.Prefix.Combine("etc", "mlops", "agent.env"), $"Agent__CoordinatorAddress={address}\n" + Tls("Agent", agentFiles));

        await using var coordinator = installed.StartService("coordinator");
        await using var agent = installed.StartService("agent");

        // The first start made the first admin token, readable by the service user alone.
        var adminToken = installed.Prefix.Combine("var", "lib", "mlops", "coordinator", "admin.token");
        await Eventually.Async(() => Task.FromResult(File.Exists(adminToken)), TimeSpan.FromSeconds(60),
            () => $"no admin token was written\n--- coordinator ---\n{coordinator.Output}");
        using var authority = pki.LoadAuthority();
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback =
            MlOps.Core.Certificates.ClusterTrust.ValidationCallback(authority, MlOps.Core.Certificates.ClusterRoles.ServerAuthentication);
        using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler });
        var cluster = new ClusterService.ClusterServiceClient(channel);
        var refused = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => cluster.ListAgentsAsync(new ListAgentsRequest()).ResponseAsync);
        Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, refused.StatusCode);

        var token = new Grpc.Core.Metadata { { "authorization", "Bearer " + (await File.ReadAllTextAsync(adminToken)).Trim() } };
        await Eventually.Async(async () =>
        {
            var agents = await cluster.ListAgentsAsync(new ListAgentsRequest(), token, deadline: DateTime.UtcNow.AddSeconds(2));
            return agents.Agents.Any(a => a.AgentId == "installed" && a.Status == AgentStatus.Connected);
        }, TimeSpan.FromSeconds(60), () => $"the installed agent did not connect\n--- coordinator ---\n{coordinator.Output}\n--- agent ---\n{agent.Output}");

        Assert.True(File.Exists(installed.Prefix.Combine("var", "lib", "mlops", "coordinator", "coordinator.db")), "state not in the installed data directory");
        Assert.Equal(0, await agent.StopAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, await coordinator.StopAsync(TimeSpan.FromSeconds(30)));
    }

    /// <summary>Every path under <paramref name="root"/> but the state, with its size and modification time.</summary>
    private static List<string> Snapshot(string root) =>
        [.. new DirectoryInfo(root).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Where(i => !Path.GetRelativePath(root, i.FullName).StartsWith("var", StringComparison.Ordinal))
            .Where(i => !Path.GetRelativePath(root, i.FullName).StartsWith("usr/lib", StringComparison.Ordinal) && Path.GetRelativePath(root, i.FullName) != "lib")
            .Select(i => $"{Path.GetRelativePath(root, i.FullName)} {(i as FileInfo)?.Length} {i.LastWriteTimeUtc:O} {i.LinkTarget}")
            .Order(StringComparer.Ordinal)];

    internal static async Task<string> RunScriptAsync(string script, IEnumerable<string> arguments)
    {
        var (code, output) = await RunAsync("bash", [Path.Combine(BuiltBinaries.RepoRoot, "scripts", script), .. arguments]);
        Assert.True(code == 0, $"{script} exited {code}:\n{output}");
        return output;
    }

    internal static async Task<(int Code, string Output)> RunAsync(string file, IEnumerable<string> arguments)
    {
        var (code, stdout, stderr) = await CommandRun.RunAsync(file, arguments, TimeSpan.FromSeconds(90));
        return (code, stdout + stderr);
    }

    /// <summary>Both roles installed once (version v1) into one temporary root, from the solution's build output.</summary>
    public sealed class Installed : IAsyncLifetime
    {
        private readonly TempDirectory _bundles = new("mlops-install-bundle");

        public TempDirectory Prefix { get; } = new("mlops-install-root");

        /// <summary>A bundle folder (coordinator/, agent/, cli/, VERSION v1) of links to the built binaries.</summary>
        public string Bundle { get; private set; } = "";

        public string FirstOutput { get; private set; } = "";

        public async Task InitializeAsync()
        {
            Bundle = MakeBundle("v1");
            FirstOutput = await InstallAsync("coordinator", Bundle);
            FirstOutput += await InstallAsync("agent", Bundle, extra: ["--coordinator", "http://10.0.0.1:7070"]);
        }

        /// <summary>The same binaries labelled v2, as an upgrade.</summary>
        public string Bundle2() => MakeBundle("v2");

        public Task<string> InstallAsync(string role, string bundle, string? prefix = null, IEnumerable<string>? extra = null) =>
            RunScriptAsync("install.sh", ["--role", role, "--prefix", prefix ?? Prefix.Path, "--from", bundle, .. extra ?? []]);

        /// <summary>Starts an installed service with its unit's ExecStart (paths moved under the root) and EnvironmentFile.</summary>
        public ServiceProcess StartService(string role)
        {
            var unit = File.ReadAllLines(Prefix.Combine("etc", "systemd", "system", $"mlops-{role}.service"));
            var command = unit.Single(l => l.StartsWith("ExecStart=", StringComparison.Ordinal))["ExecStart=".Length..]
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(Rooted)
                .ToList();
            var environment = File.ReadAllLines(Prefix.Combine("etc", "mlops", $"{role}.env"))
                .Where(l => l.Contains('=', StringComparison.Ordinal) && !l.TrimStart().StartsWith('#'))
                .Select(l => l.Split('=', 2))
                .ToDictionary(kv => kv[0].Trim(), kv => kv[1].Trim());

            // The bundle is framework-dependent: its assembly runs on the test's dotnet host (a self-contained one runs
            // the apphost, ExecStart's first word, alone).
            return ServiceProcess.Start($"installed-{role}", command[0] + ".dll", command.Skip(1), environment);
        }

        private string Rooted(string word)
        {
            foreach (var top in new[] { "/opt/mlops", "/var/lib/mlops", "/etc/mlops" })
            {
                var at = word.IndexOf(top, StringComparison.Ordinal);
                if (at >= 0)
                {
                    return word[..at] + Prefix.Path + word[at..];
                }
            }

            return word;
        }

        private string MakeBundle(string version)
        {
            var bundle = _bundles.Combine(version);
            Directory.CreateDirectory(bundle);
            File.CreateSymbolicLink(Path.Combine(bundle, "coordinator"), Path.GetDirectoryName(BuiltBinaries.Coordinator)!);
            File.CreateSymbolicLink(Path.Combine(bundle, "agent"), Path.GetDirectoryName(BuiltBinaries.Agent)!);
            File.CreateSymbolicLink(Path.Combine(bundle, "cli"), Path.GetDirectoryName(BuiltBinaries.Cli)!);
            File.WriteAllText(Path.Combine(bundle, "VERSION"), version + "\n");
            return bundle;
        }

        public Task DisposeAsync()
        {
            Prefix.Dispose();
            _bundles.Dispose();
            return Task.CompletedTask;
        }
    }
}
