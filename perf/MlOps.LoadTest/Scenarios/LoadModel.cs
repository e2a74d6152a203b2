namespace MlOps.LoadTest.Scenarios;

/// <summary>How requests are offered to the server.</summary>
public abstract record LoadModel
{
    /// <summary>The load model in words for reports.</summary>
    public abstract string Describe();
}

/// <summary>
/// <see cref="Users"/> virtual users, each sending its next request when the previous one has answered (after an
/// optional think time). Latency is measured from the actual send, so a stalled server slows the users down and is
/// seen only in the few requests that hit the stall: this model measures throughput, not latency under load.
/// </summary>
public sealed record ClosedLoad(int Users, TimeSpan ThinkTime = default) : LoadModel
{
    public override string Describe() =>
        ThinkTime > TimeSpan.Zero ? $"closed, {Users} users, think {ThinkTime.TotalMilliseconds:0.#} ms" : $"closed, {Users} users";
}

/// <summary>
/// Requests arrive at a constant <see cref="Rate"/> whether or not earlier ones have answered. Latency is measured
/// from each request's <em>intended</em> send time, so time a request spends waiting behind a stall (or for the
/// generator itself) counts, which corrects coordinated omission. At most <see cref="MaxInFlight"/> are outstanding;
/// past that the generator waits, and the wait is still in the latency.
/// </summary>
public sealed record OpenLoad(double Rate, int MaxInFlight = OpenLoad.DefaultMaxInFlight) : LoadModel
{
    /// <summary>
    /// 256, like wrk2's fixed connections or perf_analyzer's request-rate threads: after a server stall an uncapped
    /// generator floods the server's bounded queue (1,024 per version) and the run ends in RESOURCE_EXHAUSTED long
    /// after the stall; capped, the backlog waits in the generator, counts in the latency, and drains.
    /// </summary>
    public const int DefaultMaxInFlight = 256;

    public override string Describe() => $"open, {Rate:0.##} req/s";
}

/// <summary>An open model whose rate changes in steps; the run lasts the sum of the steps.</summary>
public sealed record RampLoad(IReadOnlyList<RampStep> Steps, int MaxInFlight = OpenLoad.DefaultMaxInFlight) : LoadModel
{
    /// <summary>Sum of the steps' durations.</summary>
    public TimeSpan Duration => TimeSpan.FromTicks(Steps.Sum(s => s.Duration.Ticks));

    /// <summary>Requests the ramp intends to send, over all steps.</summary>
    public double IntendedRequests => Steps.Sum(s => s.Rate * s.Duration.TotalSeconds);

    public override string Describe() => $"ramp, {string.Join(" → ", Steps.Select(s => $"{s.Rate:0.##}"))} req/s";
}

/// <summary>One step of a <see cref="RampLoad"/>.</summary>
public sealed record RampStep(double Rate, TimeSpan Duration);
