using System.Text.RegularExpressions;
using MlOps.Testing;

namespace MlOps.IntegrationTests;

/// <summary>
/// scripts/gpu-check.sh on this machine, which has no GPU: a bundle of links to the solution's framework-dependent
/// build output (as <see cref="InstallTests"/> does, so no publish runs), a tiny dataset and two epochs. Every GPU
/// step must say SKIP with its reason; the CPU training, the CPU serving measurement and the agent's load and unload
/// must run, and the report must carry their numbers.
/// </summary>
[Trait("Category", "Integration")]
[Collection(ClusterCollection.Name)]
public sealed partial class GpuCheckTests
{
    private static string Script => Path.Combine(BuiltBinaries.RepoRoot, "scripts", "gpu-check.sh");

    [Fact]
    public async Task GpuCheck_CpuOnlyOnTinyDataset_ReportsCpuNumbersAndSkipsGpuSteps()
    {
        using var temp = new TempDirectory("mlops-gpu-check");
        var bundle = MakeBundle(temp.Combine("bundle"));
        var data = temp.Combine("data");
        TinyMnistDataset.Write(data, trainCount: 512, testCount: 128);
        var report = temp.Combine("report.md");

        var (code, stdout, stderr) = await RunAsync(
            "bash",
            [Script, "--bundle", bundle, "--data", data, "--epochs", "2", "--seconds", "0.5", "--out", report, "--cpu-only"]);

        Assert.True(code == 0, $"gpu-check.sh exited {code}:\n{stdout}\n{stderr}");
        var text = File.ReadAllText(report);
        Assert.Equal(text.TrimEnd(), stdout.TrimEnd());
        Assert.Contains("## GPU node check", text, StringComparison.Ordinal);
        Assert.Matches(@"\| 1 inventory: nvidia-smi \| \*\*(SKIP|PASS)\*\* \|", text);
        Assert.Matches(@"\| 1 inventory: agent \| \*\*(SKIP|PASS)\*\* \|", text);
        Assert.Matches(@"\| 2 training: CPU \| \*\*PASS\*\* \| [0-9.]+ s/epoch \(median of 2\), test accuracy [0-9.]+ \|", text);
        Assert.Matches(@"\| 2 training: GPU \| \*\*SKIP\*\* \| - \| --cpu-only \|", text);
        Assert.Matches(@"\| 3 pytorch[^|]* \| \*\*(SKIP|PASS)\*\* \|", text);
        Assert.Matches(@"\| 4 serving: cpu \| \*\*PASS\*\* \| batch 1: [0-9,]+ samples/s, p50 [0-9.]+ ms, p99 [0-9.]+ ms; batch 64: [0-9,]+ samples/s, p50 [0-9.]+ ms, p99 [0-9.]+ ms \| provider used: CPU,", text);
        Assert.Matches(@"\| 4 serving: cuda \| \*\*SKIP\*\* \|", text);
        Assert.Matches(@"\| 5 unload \| \*\*SKIP\*\* \| - \| --cpu-only; the agent's load and unload answered 200 on CPU \|", text);
        Assert.Contains("(512 training and 128 test samples)", text, StringComparison.Ordinal);
        Assert.DoesNotMatch(FailRow(), text);
    }

    [Fact]
    public async Task GpuCheck_BundleWithoutAgent_FailsNamingTheMissingFile()
    {
        using var temp = new TempDirectory("mlops-gpu-check");
        Directory.CreateDirectory(temp.Combine("bundle"));

        var (code, _, stderr) = await RunAsync("bash", [Script, "--bundle", temp.Combine("bundle")]);

        Assert.Equal(1, code);
        Assert.Contains("cli/mlops not found", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GpuCheck_Script_PassesBashSyntaxCheck()
    {
        var (code, stdout, stderr) = await RunAsync("bash", ["-n", Script]);

        Assert.True(code == 0, stdout + stderr);
    }

    /// <summary>A bundle (cli/, coordinator/, agent/, loadtest/, VERSION) of links to the built binaries.</summary>
    private static string MakeBundle(string bundle)
    {
        Directory.CreateDirectory(bundle);
        var bin = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(BuiltBinaries.Cli)))!;
        var config = Path.GetFileName(Path.GetDirectoryName(BuiltBinaries.Cli))!;
        foreach (var (component, project) in new[] { ("cli", "MlOps.Cli"), ("coordinator", "MlOps.Coordinator"), ("agent", "MlOps.Agent"), ("loadtest", "MlOps.LoadTest") })
        {
            Directory.CreateSymbolicLink(Path.Combine(bundle, component), Path.Combine(bin, project, config));
        }

        File.WriteAllText(Path.Combine(bundle, "VERSION"), "test\n");
        return bundle;
    }

    private static Task<(int Code, string Stdout, string Stderr)> RunAsync(string file, IEnumerable<string> arguments) =>
        CommandRun.RunAsync(file, arguments, TimeSpan.FromSeconds(240));

    [GeneratedRegex(@"\| \*\*FAIL\*\* \|")]
    private static partial Regex FailRow();
}
