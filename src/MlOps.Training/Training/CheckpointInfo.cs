namespace MlOps.Training;

/// <summary>A checkpoint the trainer wrote (see <see cref="ITrainingObserver.OnCheckpoint"/>).</summary>
/// <param name="Path">The checkpoint file; the only one left in the checkpoint directory once written.</param>
/// <param name="Epoch">1-based epoch in progress when it was written.</param>
/// <param name="Step">Training steps (batches) of that epoch already done; a resumed run goes on with the next one.</param>
/// <param name="GlobalStep">Steps done over the whole run: <c>(Epoch - 1) * steps per epoch + Step</c>.</param>
/// <param name="Bytes">Size of the file.</param>
/// <param name="Digest">SHA-256 of the whole file, <c>sha256:&lt;hex&gt;</c> (the digest an OCI layer of it gets).</param>
public sealed record CheckpointInfo(string Path, int Epoch, int Step, long GlobalStep, long Bytes, string Digest);
