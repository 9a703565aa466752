using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace ClaimLedger.IntegrationTests;

/// <summary>
/// Streams that read through server-side cursors (the claim export, the claim-review export, the audit report) one after
/// another on the same pooled connections, with Npgsql's automatic preparation turned on in the operator's connection
/// string — a setting Npgsql recommends and operators add. A cursor's FETCH statement must never be reused for a cursor
/// over another query: a prepared FETCH keeps the columns of the query it was first prepared for.
/// </summary>
public sealed class StreamingCursorTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [PostgresFact("automatic statement preparation is an Npgsql connection-string setting")]
    public async Task DifferentStreams_OneAfterAnother_WithAutomaticPreparation_EachReturnItsOwnRows()
    {
        using var server = new ClaimLedgerServer();
        server.Settings["ConnectionStrings:ClaimLedger"] =
            TestEngine.ConnectionStringFor(server.DataDirectory) + ";Max Auto Prepare=32;Auto Prepare Min Usages=1";
        var claims = server.Claims();
        var created = new List<Claim>();
        for (var i = 0; i < 3; i++)
        {
            created.Add(await claims.CreateClaimAsync(TestData.NewClaim(topics: "cursors")));
        }

        var start = Timestamp.FromDateTimeOffset(server.Clock.GetUtcNow().AddDays(-1));
        var end = Timestamp.FromDateTimeOffset(server.Clock.GetUtcNow().AddDays(1));
        var transfer = new TransferService.TransferServiceClient(server.As("exporter"));
        var reports = new ReportService.ReportServiceClient(server.As("reporter"));

        for (var round = 0; round < 4; round++)
        {
            var exported = await ExportedTextsAsync(transfer);
            exported.Order().ShouldBe(created.Select(c => c.Text).Order(), $"round {round}");

            var reviews = await ReportClient.TextAsync(reports.ExportClaimReviews(new ExportClaimReviewsRequest
            {
                PublisherName = "Example Checks",
                PublisherUrl = "https://checks.example.org",
                ReviewUrlTemplate = "https://checks.example.org/c/{claim}",
            }, deadline: DateTime.UtcNow.Add(Deadline)));
            reviews.Trim().ShouldBe("[]", $"round {round}: no claim is verified");

            var (header, rows) = await ReportClient.CsvAsync(reports.GenerateAuditReport(new GenerateAuditReportRequest
            {
                StartTime = start,
                EndTime = end,
                Format = ReportFormat.Csv,
            }, deadline: DateTime.UtcNow.Add(Deadline)));
            header.ShouldNotBeEmpty();
            rows.Count.ShouldBeGreaterThanOrEqualTo(created.Count, $"round {round}");
        }
    }

    private static async Task<List<string>> ExportedTextsAsync(TransferService.TransferServiceClient transfer)
    {
        using var call = transfer.ExportClaims(new ExportClaimsRequest { Topic = "cursors" }, deadline: DateTime.UtcNow.Add(Deadline));
        var texts = new List<string>();
        await foreach (var record in call.ResponseStream.ReadAllAsync())
        {
            if (record.Claim is { } claim)
            {
                texts.Add(claim.Text);
            }
        }

        return texts;
    }
}
