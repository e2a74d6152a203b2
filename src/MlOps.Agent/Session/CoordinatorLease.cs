namespace MlOps.Agent.Session;

/// <summary>
/// How long this agent may keep running jobs without hearing from the coordinator: each <c>LeaseGrant</c> (the answer
/// to a heartbeat) extends it to <c>valid_for</c> minus one heartbeat interval from now, so it always ends before the
/// coordinator's own view of the lease does and the coordinator gives the jobs to another agent. The training
/// processes get the remaining time (<c>lease MS</c> on stdin) and stop when it runs out, even while the agent itself
/// is frozen. Never granted (an older coordinator): no deadline.
/// </summary>
internal sealed class CoordinatorLease(TimeProvider time)
{
    private long _validUntil = long.MinValue;

    /// <summary>Extends the lease: valid for <paramref name="validFor"/> less <paramref name="margin"/> from now.</summary>
    public void Renew(TimeSpan validFor, TimeSpan margin)
    {
        var usable = validFor - margin;
        if (usable <= TimeSpan.Zero)
        {
            usable = validFor / 2;
        }

        Volatile.Write(ref _validUntil, time.GetTimestamp() + (long)(usable.TotalSeconds * time.TimestampFrequency));
    }

    /// <summary>Time left; null when no lease was ever granted, zero or less once it ran out.</summary>
    public TimeSpan? Remaining
    {
        get
        {
            var until = Volatile.Read(ref _validUntil);
            return until == long.MinValue
                ? null
                : TimeSpan.FromSeconds((double)(until - time.GetTimestamp()) / time.TimestampFrequency);
        }
    }
}
