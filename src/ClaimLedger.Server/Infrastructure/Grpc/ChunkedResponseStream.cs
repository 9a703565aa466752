using ClaimLedger.Contracts.V1;
using Google.Protobuf;
using Grpc.Core;

namespace ClaimLedger.Server.Infrastructure.Grpc;

/// <summary>
/// A write-only stream that sends what is written as ReportChunk messages of at most <see cref="ChunkSize"/> bytes,
/// so a report of any length is produced with a fixed buffer. The first chunk carries the content type and file name.
/// </summary>
public sealed class ChunkedResponseStream(IServerStreamWriter<ReportChunk> writer, string contentType, string fileName) : Stream
{
    public const int ChunkSize = 64 * 1024;
    private readonly MemoryStream _buffer = new(ChunkSize);
    private bool _sentFirst;

    public long BytesWritten { get; private set; }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("Write asynchronously: chunks go to a gRPC stream.");

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (buffer.Length > 0)
        {
            var take = Math.Min(buffer.Length, ChunkSize - (int)_buffer.Length);
            _buffer.Write(buffer.Span[..take]);
            buffer = buffer[take..];
            BytesWritten += take;
            if (_buffer.Length >= ChunkSize)
            {
                await SendAsync(cancellationToken);
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Flushing keeps buffering: chunks go out full, and the rest with <see cref="CompleteAsync"/>.</summary>
    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Sends what is buffered (and the header chunk even for an empty document).</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (_buffer.Length > 0 || !_sentFirst)
        {
            await SendAsync(cancellationToken);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    private async Task SendAsync(CancellationToken ct)
    {
        var chunk = new ReportChunk { Data = ByteString.CopyFrom(_buffer.GetBuffer(), 0, (int)_buffer.Length) };
        if (!_sentFirst)
        {
            chunk.ContentType = contentType;
            chunk.FileName = fileName;
            _sentFirst = true;
        }

        _buffer.SetLength(0);
        await writer.WriteAsync(chunk, ct);
    }
}
