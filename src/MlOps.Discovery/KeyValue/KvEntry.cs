using System.Text;

namespace MlOps.Discovery.KeyValue;

/// <summary>A key and its value from <c>GET /v1/kv/:key</c>.</summary>
/// <param name="Key">The full key.</param>
/// <param name="Value">The stored bytes (base64 on the wire); empty for a key without a value.</param>
/// <param name="Flags">The opaque number stored with the key.</param>
/// <param name="CreateIndex">The index that created the key.</param>
/// <param name="ModifyIndex">The index of the last write: pass it as <c>cas</c> to change the key only if nobody
/// else did meanwhile.</param>
/// <param name="LockIndex">How many times the key was acquired; with <paramref name="Key"/> and
/// <paramref name="Session"/> it forms a sequencer that tells a stale leader from the current one.</param>
/// <param name="Session">The session holding the key's lock, or null when unlocked.</param>
public sealed record KvEntry(string Key, ReadOnlyMemory<byte> Value, ulong Flags, ulong CreateIndex, ulong ModifyIndex, ulong LockIndex, string? Session)
{
    public bool IsLocked => !string.IsNullOrEmpty(Session);

    public string ValueAsString() => Encoding.UTF8.GetString(Value.Span);
}
