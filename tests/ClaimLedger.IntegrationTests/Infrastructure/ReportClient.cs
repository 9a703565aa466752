using System.Globalization;
using System.Text;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using ClaimLedger.Contracts.V1;
using CsvHelper;
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

    /// <summary>An HTML report, parsed.</summary>
    public static async Task<IHtmlDocument> HtmlAsync(AsyncServerStreamingCall<ReportChunk> call) =>
        await new HtmlParser().ParseDocumentAsync(await TextAsync(call));

    /// <summary>A CSV report's header and rows, each row by column name, read with a CSV reader.</summary>
    public static async Task<(string[] Header, List<Dictionary<string, string>> Rows)> CsvAsync(AsyncServerStreamingCall<ReportChunk> call)
    {
        using var reader = new CsvReader(new StringReader(await TextAsync(call)), CultureInfo.InvariantCulture);
        var rows = new List<Dictionary<string, string>>();
        await reader.ReadAsync();
        reader.ReadHeader();
        var header = reader.HeaderRecord!;
        while (await reader.ReadAsync())
        {
            rows.Add(header.ToDictionary(h => h, h => reader.GetField(h)!));
        }

        return (header, rows);
    }
}
