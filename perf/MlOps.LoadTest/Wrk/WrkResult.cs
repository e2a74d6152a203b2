namespace MlOps.LoadTest.Wrk;

/// <summary>What one wrk run reported, parsed from its text output (kept whole in <see cref="RawOutput"/>).</summary>
/// <param name="RequestsPerSecond">wrk's <c>Requests/sec</c>: every response, including non-2xx ones.</param>
/// <param name="Requests">Total responses (<c>N requests in ...</c>).</param>
/// <param name="Non2xx">Responses with a status outside 2xx and 3xx; 0 when wrk printed no such line.</param>
/// <param name="SocketErrors">Connect, read, write and timeout errors added up; 0 when wrk printed no such line.</param>
/// <param name="P50Ms">Median latency in milliseconds, from the <c>--latency</c> distribution; null without it.</param>
/// <param name="P99Ms">99th percentile latency in milliseconds; null without the distribution.</param>
/// <param name="RawOutput">wrk's standard output (and standard error, when it wrote any).</param>
public sealed record WrkResult(
    double RequestsPerSecond, long Requests, long Non2xx, long SocketErrors, double? P50Ms, double? P99Ms, string RawOutput);
