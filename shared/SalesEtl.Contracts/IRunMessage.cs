namespace SalesEtl.Contracts;

/// <summary>Every message belongs to one run; logs and the saga key on it.</summary>
public interface IRunMessage
{
    Guid RunId { get; }
}

/// <summary>A message about one chunk of a run.</summary>
public interface IChunkMessage : IRunMessage
{
    int ChunkNo { get; }
}
