using System.Text;
using MlOps.Testing.Fuzzing;

namespace MlOps.Core.Tests.Fuzzing;

/// <summary>The fuzzing engine in MlOps.Testing finds what it claims to find: crashes (shrunk to a small reproducer),
/// hangs, unbounded allocation; and it counts what it tried.</summary>
public sealed class FuzzRunTests
{
    private static readonly FuzzOptions Quick = new() { Iterations = 3_000, Duration = TimeSpan.FromSeconds(20), Seed = 7 };

    [Fact]
    public void Run_TargetCrashesOnAByte_ReportsItWithAShrunkReproducer()
    {
        var seed = Encoding.UTF8.GetBytes("name: value with some padding around it");

        var report = FuzzRun.Run("crash on '!'", [seed], input =>
        {
            if (input.Contains((byte)'!'))
            {
                throw new InvalidOperationException("bang");
            }

            throw new FormatException("not it");
        }, Quick with { Dictionary = ["!"], IsExpected = e => e is FormatException });

        var failure = Assert.Single(report.Failures);
        Assert.Equal("crash", failure.Kind);
        Assert.StartsWith("System.InvalidOperationException", failure.Signature, StringComparison.Ordinal);
        Assert.Equal("!"u8.ToArray(), failure.Reproducer);
        Assert.True(report.Inputs >= 1, report.Summary);
    }

    [Fact]
    public void Run_TargetThatAllocatesWhatTheInputClaims_ReportsAllocation()
    {
        var report = FuzzRun.Run("allocates", [[0x10]], input => GC.KeepAlive(new byte[input.Length == 0 ? 0 : input[0] << 20]),
            Quick with { Iterations = 200, MaxAllocatedBytesPerInput = 64 << 20 });

        Assert.Contains(report.Failures, f => f.Kind == "allocation");
    }

    [Fact]
    public void Run_TargetThatNeverReturns_ReportedAsAHangAndTheRunStops()
    {
        using var release = new ManualResetEventSlim();
        try
        {
            var report = FuzzRun.Run("hangs", [[1]], input => release.Wait(), Quick with { PerInputTimeout = TimeSpan.FromMilliseconds(200) });

            var failure = Assert.Single(report.Failures);
            Assert.Equal("hang", failure.Kind);
            Assert.Equal([1], failure.Reproducer);
        }
        finally
        {
            release.Set();
        }
    }

    [Fact]
    public void Run_CleanTarget_CountsEveryInputAndPassesWithinTheBudget()
    {
        var report = FuzzRun.Run("clean", [[1, 2, 3]], _ => { }, Quick with { Iterations = 5_000 });

        Assert.True(report.Passed, report.Describe());
        Assert.Equal(5_000, report.Inputs);
        Assert.Contains("5,000 inputs", report.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Mutate_SameSeed_SameSequence()
    {
        byte[] input = "seed: [1, 2, 3]"u8.ToArray();
        var one = new Mutator(new Random(3), ["x"], 1024);
        var two = new Mutator(new Random(3), ["x"], 1024);

        Assert.All(Enumerable.Range(0, 100), _ => Assert.Equal(one.Mutate(input, input), two.Mutate(input, input)));
    }
}
