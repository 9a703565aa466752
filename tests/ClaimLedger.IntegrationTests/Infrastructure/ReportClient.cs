using System.Text;
using ClaimLedger.Contracts.V1;
using Grpc.Core;

namespace ClaimLedger.IntegrationTests.Infrastructure;

public static class ReportClient
{
    /// <summary>Reads a streamed document to the end: its bytes, the chunk count and the first chunk's headers.</summary>
    public static async Task<(byte[] Data, int Chunks, string ContentType, string FileName)> ReadAllAsync(AsyncServerStreamingCall<ReportChunk> call)
    {
        using var buffer = new MemoryStream();
        var chunks = 0;
        string contentType = "", fileName = "";
        await foreach (var chunk in call.ResponseStream.ReadAllAsync())
        {
            if (chunks++ == 0)
            {
                contentType = chunk.ContentType;
                fileName = chunk.FileName;
            }

            chunk.Data.WriteTo(buffer);
        }

        return (buffer.ToArray(), chunks, contentType, fileName);
    }

    public static async Task<string> TextAsync(AsyncServerStreamingCall<ReportChunk> call) =>
        Encoding.UTF8.GetString((await ReadAllAsync(call)).Data);
}
