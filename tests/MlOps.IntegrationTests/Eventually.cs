namespace MlOps.IntegrationTests;

/// <summary>Polls a condition on real processes until it holds or the time is up (then fails with a description).</summary>
public static class Eventually
{
    public static async Task Async(Func<Task<bool>> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? lastError = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception ex)
            {
                lastError = ex;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{describe()}\n(last error: {lastError?.Message ?? "none"})");
    }
}
