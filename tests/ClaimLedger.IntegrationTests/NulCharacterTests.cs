using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace ClaimLedger.IntegrationTests;

/// <summary>
/// Text holding the NUL character (U+0000) is refused at the boundary, on both engines alike (PostgreSQL can neither
/// store nor compare it): INVALID_ARGUMENT naming the field, nothing written. In an import stream only the record that
/// holds it is INVALID.
/// </summary>
public sealed class NulCharacterTests(ClaimLedgerServer server) : IClassFixture<ClaimLedgerServer>
{
    private const string Nul = "must not contain the NUL character (U+0000)";

    [Fact]
    public async Task AWrite_WithNulInItsText_IsInvalid_NamesTheField_AndWritesNothing()
    {
        var before = Db.Snapshot(server.DatabasePath);
        var request = TestData.NewClaim();
        request.Claim.Text = "The council doubled parking fees\0 in 2025.";
        var invalid = await RpcAssert.InvalidArgument(server.Claims().CreateClaimAsync(request), "claim.text");
        invalid.FieldViolations.Single(v => v.Field == "claim.text").Description.ShouldBe(Nul);

        var tagged = TestData.NewClaim(null, "transport", "fees\0");
        (await RpcAssert.InvalidArgument(server.Claims().CreateClaimAsync(tagged), "claim.topics[1]")).FieldViolations.Count.ShouldBe(1);
        Db.Snapshot(server.DatabasePath).ShouldBe(before);
    }

    [Fact]
    public async Task AFilterOrAName_WithNul_IsInvalid_OnReadsAndStreams()
    {
        await RpcAssert.InvalidArgument(server.Claims().GetClaimAsync(new GetClaimRequest { Name = "claims/\0" }), "name");
        await RpcAssert.InvalidArgument(server.Claims().ListClaimsAsync(new ListClaimsRequest { Topic = "energy\0" }), "topic");

        // A server stream is refused before its first message.
        using var export = new TransferService.TransferServiceClient(server.As("exporter")).ExportClaims(new ExportClaimsRequest { Topic = "\0" });
        var status = await RpcAssert.Fails(StatusCode.InvalidArgument, async () => await export.ResponseStream.MoveNext(CancellationToken.None));
        status.GetDetail<Google.Rpc.BadRequest>().FieldViolations.Single().Field.ShouldBe("topic");
    }

    [Fact]
    public async Task AMapKey_WithNul_IsInvalid()
    {
        var policy = new ReviewPolicy { DefaultReviewInterval = Duration.FromTimeSpan(TimeSpan.FromDays(30)) };
        policy.TopicReviewIntervals["elections\0"] = Duration.FromTimeSpan(TimeSpan.FromDays(7));
        var staleness = new StalenessService.StalenessServiceClient(server.As("policy-admin"));
        var before = await staleness.GetReviewPolicyAsync(new GetReviewPolicyRequest());
        await RpcAssert.InvalidArgument(staleness.SetReviewPolicyAsync(new SetReviewPolicyRequest { Policy = policy }), "policy.topic_review_intervals");
        (await staleness.GetReviewPolicyAsync(new GetReviewPolicyRequest())).ShouldBe(before);
    }

    [Fact]
    public async Task AnImport_WithNulInOneRecord_ReportsThatRecordInvalid_AndImportsTheOthers()
    {
        var good1 = TestData.NewClaim().Claim;
        var bad = TestData.NewClaim().Claim;
        bad.Claimant = "Example\0Gazette";
        var good2 = TestData.NewClaim().Claim;
        using var import = new TransferService.TransferServiceClient(server.As("importer")).ImportClaims();
        foreach (var claim in new[] { good1, bad, good2 })
        {
            await import.RequestStream.WriteAsync(new ImportClaimsRequest { Record = new ClaimRecord { Claim = claim } });
        }

        await import.RequestStream.CompleteAsync();
        var response = await import.ResponseAsync;
        response.Results.Select(r => r.Outcome).ShouldBe([ImportResult.Types.Outcome.Created, ImportResult.Types.Outcome.Invalid, ImportResult.Types.Outcome.Created]);
        response.Results[1].Reason.ShouldContain("record.claim.claimant");
        response.Results[1].Reason.ShouldContain(Nul);
        Db.Scalar(server.DatabasePath, "SELECT count(*) FROM claims WHERE claimant LIKE @Claimant", ("Claimant", "Example%")).ShouldBe(0);
    }
}
