using MlOps.Monitoring.Profiles;

namespace MlOps.Serving.Monitoring;

/// <summary>What one served version saw between two <see cref="LiveProfiler.TakeWindow"/> calls.</summary>
/// <param name="Start">When the window opened (the load, or the previous window's end).</param>
/// <param name="End">When it was taken.</param>
/// <param name="Requests">Requests served in the window, profiled or not.</param>
/// <param name="Profiled">Rows added to <paramref name="Profile"/>: a sample of the requests' rows.</param>
/// <param name="Profile">The window's live profile, over the reference profile's bins; no longer written to.</param>
public sealed record ProfileWindow(DateTimeOffset Start, DateTimeOffset End, long Requests, long Profiled, ModelProfile Profile);
