namespace MlOps.Discovery.Http;

/// <summary>The index rules of Consul's blocking-query guide, as one pure function.</summary>
internal static class BlockingIndex
{
    /// <summary>
    /// The index to send with the next query after one sent with <paramref name="sent"/> came back with
    /// <paramref name="returned"/> (<c>X-Consul-Index</c>).
    /// </summary>
    /// <returns>
    /// 0 when the index went backwards (snapshot restore, a restarted dev agent, a deleted key that held the highest
    /// index): the next query then does not block and reads the current state afresh, as the guide says to reset.
    /// 1 when Consul sent 0 (it should not; a proxy might), because a query with index 0 would never block and
    /// the caller would spin. Otherwise the returned index.
    /// </returns>
    public static ulong Next(ulong sent, ulong returned, out bool reset)
    {
        reset = returned < sent;
        if (reset)
        {
            return 0;
        }

        return returned == 0 ? 1 : returned;
    }
}
