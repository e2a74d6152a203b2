using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using MlOps.Testing;

namespace MlOps.IntegrationTests;

/// <summary>
/// scripts/build-deb.sh: the packages' control fields, file lists, modes, conffiles and maintainer scripts, read with
/// dpkg-deb, then installed, upgraded, removed and purged with dpkg in a temporary root (no root needed:
/// <c>--force-script-chrootless</c> runs the maintainer scripts with DPKG_ROOT set, where they manage files only). The
/// bundle is a few tiny fake files: packaging a real publish (the agent carries ~600 MB of libtorch) would only
/// measure xz.
/// </summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed partial class DebPackageTests(DebPackageTests.Packages packages) : IClassFixture<DebPackageTests.Packages>
{
    [Theory]
    [InlineData("coordinator", "mlops-coordinator")]
    [InlineData("agent", "mlops-agent")]
    [InlineData("cli", "mlops")]
    public async Task Build_EachRole_ControlFieldsFromBundleVersion(string role, string package)
    {
        var deb = packages.V1(role);
        var control = await FieldsAsync(deb);

        // The bundle's label v1 is no Debian version: it sorts by when the bundle was made.
        Assert.Matches($"^{package}_0~[0-9]{{14}}\\+v1_amd64\\.deb$", Path.GetFileName(deb));
        Assert.Equal(package, control["Package"]);
        Assert.Matches("^0~[0-9]{14}\\+v1$", control["Version"]);
        Assert.Equal("amd64", control["Architecture"]);
        Assert.Matches("^.+ <.+@.+>$", control["Maintainer"]);
        Assert.True(int.Parse(control["Installed-Size"]) > 0, control["Installed-Size"]);
        Assert.Contains("libc6 (>= 2.", control["Depends"]);
        Assert.Contains("libssl3 | libssl3t64", control["Depends"]);
        Assert.DoesNotContain("libicu", control["Depends"]);
        Assert.False(string.IsNullOrWhiteSpace(control["Description"]));
        if (role == "cli")
        {
            Assert.DoesNotContain("adduser", control["Depends"]);
            Assert.False(control.ContainsKey("Recommends"));
        }
        else
        {
            Assert.Contains("adduser", control["Depends"]);
            Assert.Equal("mlops", control["Recommends"]);
        }

        if (role == "agent")
        {
            Assert.Contains("libc6 (>= 2.34)", control["Depends"]);
            Assert.Contains("libstdc++6 (>= 12)", control["Depends"]);
        }
    }

    [Theory]
    [InlineData("coordinator", "MlOps.Coordinator")]
    [InlineData("agent", "MlOps.Agent")]
    public async Task Contents_ServicePackage_InstallShLayoutWithSaneModes(string role, string exe)
    {
        var entries = await ContentsAsync(packages.V1(role));

        Assert.All(entries.Values, e => Assert.Equal("root/root", e.Owner));
        Assert.All(entries.Values.Where(e => e.Mode[0] == 'd'), e => Assert.Equal("drwxr-xr-x", e.Mode));
        Assert.Equal("v1", entries[$"opt/mlops/{role}/current"].Target);
        // The fake apphost is 0700 in the bundle: the package must not hide it from the mlops user.
        Assert.Equal("-rwxr-xr-x", entries[$"opt/mlops/{role}/v1/{exe}"].Mode);
        Assert.Equal("-rw-r--r--", entries[$"opt/mlops/{role}/v1/{exe}.dll"].Mode);
        Assert.Equal($"/etc/mlops/{role}.json", entries[$"opt/mlops/{role}/v1/appsettings.json"].Target);
        Assert.True(entries.ContainsKey($"opt/mlops/{role}/v1/install.md"), "install.md (the unit's Documentation=) missing");
        Assert.Equal("-rw-r--r--", entries[$"lib/systemd/system/mlops-{role}.service"].Mode);
        Assert.Equal("-rw-r-----", entries[$"etc/mlops/{role}.json"].Mode);
        Assert.Equal("-rw-r-----", entries[$"etc/mlops/{role}.env"].Mode);
        Assert.DoesNotContain(entries.Keys, p => p.StartsWith("var", StringComparison.Ordinal) || p.StartsWith("usr", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Contents_CliPackage_LinksMlopsIntoUsrBinAndHasNoScripts()
    {
        var deb = packages.V1("cli");
        var entries = await ContentsAsync(deb);

        Assert.Equal("/opt/mlops/cli/current/mlops", entries["usr/bin/mlops"].Target);
        Assert.Equal("v1", entries["opt/mlops/cli/current"].Target);
        Assert.Equal("-rwxr-xr-x", entries["opt/mlops/cli/v1/mlops"].Mode);
        Assert.DoesNotContain(entries.Keys, p => p.StartsWith("etc", StringComparison.Ordinal) || p.StartsWith("lib", StringComparison.Ordinal));
        using var control = new TempDirectory("mlops-deb-control");
        await RunOkAsync("dpkg-deb", ["--control", deb, control.Path]);
        Assert.Equal(new[] { "control" }, Directory.GetFiles(control.Path).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("coordinator")]
    [InlineData("agent")]
    public async Task Control_ServicePackage_SettingsAreConffilesAndScriptsParse(string role)
    {
        using var control = new TempDirectory("mlops-deb-control");
        await RunOkAsync("dpkg-deb", ["--control", packages.V1(role), control.Path]);

        Assert.Equal(new[] { $"/etc/mlops/{role}.json", $"/etc/mlops/{role}.env" }, File.ReadAllLines(control.Combine("conffiles")));
        foreach (var script in new[] { "postinst", "prerm", "postrm" })
        {
            var path = control.Combine(script);
            var text = File.ReadAllText(path);
            Assert.DoesNotContain("@ROLE@", text);
            Assert.Contains($"mlops-{role}", text);
            Assert.Equal(
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead |
                UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute,
                File.GetUnixFileMode(path));
            await RunOkAsync("sh", ["-n", path]);
        }
    }

    [Theory]
    [InlineData("coordinator")]
    [InlineData("agent")]
    public async Task Extract_ServicePackage_FilesAreTheRepositorysPackaging(string role)
    {
        using var root = new TempDirectory("mlops-deb-extract");
        await RunOkAsync("dpkg-deb", ["--extract", packages.V1(role), root.Path]);

        var packaging = Path.Combine(BuiltBinaries.RepoRoot, "packaging");
        Assert.Equal(
            File.ReadAllText(Path.Combine(packaging, "systemd", $"mlops-{role}.service")),
            File.ReadAllText(root.Combine("lib", "systemd", "system", $"mlops-{role}.service")));
        Assert.Equal(File.ReadAllText(Path.Combine(packaging, "config", $"{role}.json")), File.ReadAllText(root.Combine("etc", "mlops", $"{role}.json")));
        Assert.Equal(File.ReadAllText(Path.Combine(packaging, "config", $"{role}.env")), File.ReadAllText(root.Combine("etc", "mlops", $"{role}.env")));
        Assert.Equal(
            File.ReadAllText(Path.Combine(packages.Bundle, role, $"{Exe(role)}.dll")),
            File.ReadAllText(root.Combine("opt", "mlops", role, "current", $"{Exe(role)}.dll")));
    }

    [Fact]
    public async Task InstallUpgradeRemovePurge_TempRoot_KeepsEditedSettingsAndStateUntilPurge()
    {
        using var root = new TempDirectory("mlops-deb-root");
        Directory.CreateDirectory(root.Combine("var", "lib", "dpkg", "info"));
        Directory.CreateDirectory(root.Combine("var", "lib", "dpkg", "updates"));
        File.WriteAllText(root.Combine("var", "lib", "dpkg", "status"), "");
        Task<string> Dpkg(params string[] arguments) => RunOkAsync("env", [
            "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "dpkg", $"--root={root.Path}", "--log=/dev/null", "--force-not-root",
            "--force-script-chrootless", "--force-depends", .. arguments]);
        var settings = root.Combine("etc", "mlops", "agent.json");
        var state = root.Combine("var", "lib", "mlops", "agent", "attempts.db");

        var first = await Dpkg("--install", packages.V1("agent"), packages.V1("cli"));

        Assert.Equal("v1", new FileInfo(root.Combine("opt", "mlops", "agent", "current")).LinkTarget);
        Assert.True(Directory.Exists(root.Combine("var", "lib", "mlops", "agent")), "postinst made no state directory");
        // deb-systemd-helper enabled the unit in the root (its link names the unit's path on the target system).
        Assert.Equal("/lib/systemd/system/mlops-agent.service", new FileInfo(root.Combine("etc", "systemd", "system", "multi-user.target.wants", "mlops-agent.service")).LinkTarget);
        Assert.Contains("mlops-agent.service is enabled, not started", first);
        Assert.True(File.Exists(root.Combine("opt", "mlops", "cli", "current", "mlops")), "the CLI is not installed");

        File.WriteAllText(settings, "{ \"Agent\": { \"CoordinatorAddress\": \"http://10.0.0.9:7070\" } }");
        File.WriteAllText(state, "state");
        await Dpkg("--install", packages.AgentV2);

        Assert.Contains("10.0.0.9", File.ReadAllText(settings));
        Assert.Empty(Directory.GetFiles(root.Combine("etc", "mlops"), "*.dpkg-*"));
        Assert.Equal("2.0", new FileInfo(root.Combine("opt", "mlops", "agent", "current")).LinkTarget);
        Assert.False(Directory.Exists(root.Combine("opt", "mlops", "agent", "v1")), "dpkg left the old version");
        Assert.Equal("state", File.ReadAllText(state));

        await Dpkg("--remove", "mlops-agent");

        Assert.False(Directory.Exists(root.Combine("opt", "mlops", "agent")), "binaries left behind");
        Assert.False(File.Exists(root.Combine("lib", "systemd", "system", "mlops-agent.service")), "unit left behind");
        Assert.Contains("10.0.0.9", File.ReadAllText(settings));
        Assert.Equal("state", File.ReadAllText(state));
        Assert.True(File.Exists(root.Combine("opt", "mlops", "cli", "current", "mlops")), "the CLI package went with the agent");

        await Dpkg("--purge", "mlops-agent");

        Assert.False(Path.Exists(root.Combine("etc", "mlops")), "settings left after purge");
        Assert.False(Path.Exists(root.Combine("var", "lib", "mlops")), "state left after purge");
    }

    [Fact]
    public async Task Build_VersionNotDebian_FailsWithReason()
    {
        using var output = new TempDirectory("mlops-deb-bad");

        var (code, text) = await InstallTests.RunAsync("bash", [Script, "--role", "agent", "--from", packages.Bundle, "--version", "v2", "--out", output.Path]);

        Assert.NotEqual(0, code);
        Assert.Contains("no Debian version", text);
        Assert.Empty(Directory.GetFileSystemEntries(output.Path));
    }

    private static string Script => Path.Combine(BuiltBinaries.RepoRoot, "scripts", "build-deb.sh");

    private static string Exe(string role) => role switch { "coordinator" => "MlOps.Coordinator", "agent" => "MlOps.Agent", _ => "mlops" };

    private static async Task<string> RunOkAsync(string file, IEnumerable<string> arguments)
    {
        var list = arguments.ToList();
        var (code, output) = await InstallTests.RunAsync(file, list);
        Assert.True(code == 0, $"{file} {string.Join(' ', list)} exited {code}:\n{output}");
        return output;
    }

    /// <summary>The control fields (a continued field, such as Description, joined with newlines).</summary>
    private static async Task<Dictionary<string, string>> FieldsAsync(string deb)
    {
        var fields = new Dictionary<string, string>();
        string? last = null;
        foreach (var line in (await RunOkAsync("dpkg-deb", ["--field", deb])).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith(' ') && last is not null)
            {
                fields[last] += "\n" + line.Trim();
            }
            else if (line.IndexOf(':', StringComparison.Ordinal) is var colon and > 0)
            {
                last = line[..colon];
                fields[last] = line[(colon + 1)..].Trim();
            }
        }

        return fields;
    }

    /// <summary>dpkg-deb --contents by path (no leading ./ or trailing /; the package root is "").</summary>
    private static async Task<Dictionary<string, Entry>> ContentsAsync(string deb)
    {
        var entries = new Dictionary<string, Entry>();
        foreach (var line in (await RunOkAsync("dpkg-deb", ["--contents", deb])).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // drwxr-xr-x root/root 0 2026-11-27 18:27 ./etc/mlops/   or   lrwxrwxrwx ... ./opt/mlops/agent/current -> v1
            var match = ContentsLine().Match(line);
            Assert.True(match.Success, $"unexpected dpkg-deb --contents line: {line}");
            var path = match.Groups["path"].Value.TrimStart('.').Trim('/');
            entries[path] = new Entry(match.Groups["mode"].Value, match.Groups["owner"].Value, match.Groups["target"].Success ? match.Groups["target"].Value : null);
        }

        return entries;
    }

    [GeneratedRegex(@"^(?<mode>\S+) (?<owner>\S+)\s+\d+ \S+ \S+ (?<path>\./\S*)(?: -> (?<target>\S+))?$")]
    private static partial Regex ContentsLine();

    private sealed record Entry(string Mode, string Owner, string? Target);

    /// <summary>A tiny fake bundle (VERSION v1) and the packages built from it: every role at v1, the agent at 2.0.</summary>
    public sealed class Packages : IAsyncLifetime
    {
        private readonly TempDirectory _directory = new("mlops-deb");
        private readonly Dictionary<string, string> _v1 = [];

        public string Bundle => _directory.Combine("bundle");

        public string AgentV2 { get; private set; } = "";

        public string V1(string role) => _v1[role];

        public async Task InitializeAsync()
        {
            foreach (var role in new[] { "coordinator", "agent", "cli" })
            {
                var folder = Directory.CreateDirectory(Path.Combine(Bundle, role)).FullName;
                var exe = Path.Combine(folder, Exe(role));
                File.WriteAllText(exe, $"#!/bin/sh\necho {role}\n");
                File.SetUnixFileMode(exe, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                File.WriteAllText(exe + ".dll", $"{role} assembly\n");
                File.WriteAllText(Path.Combine(folder, "appsettings.json"), "{}\n");
            }

            File.WriteAllText(Path.Combine(Bundle, "VERSION"), "v1\n");
            foreach (var role in new[] { "coordinator", "agent", "cli" })
            {
                _v1[role] = await BuildAsync(role, "v1");
            }

            AgentV2 = await BuildAsync("agent", "v2", "--version", "2.0");
        }

        private async Task<string> BuildAsync(string role, string folder, params string[] extra)
        {
            var output = _directory.Combine(folder);
            await InstallTests.RunScriptAsync("build-deb.sh", ["--role", role, "--from", Bundle, "--out", output, .. extra]);
            return Directory.GetFiles(output, "*.deb").Single(f => Path.GetFileName(f).StartsWith(role == "cli" ? "mlops_" : $"mlops-{role}_", StringComparison.Ordinal));
        }

        public Task DisposeAsync()
        {
            _directory.Dispose();
            return Task.CompletedTask;
        }
    }
}
