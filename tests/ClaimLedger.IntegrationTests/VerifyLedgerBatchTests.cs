using System.Globalization;
using ClaimLedger.Contracts.V1;
using ClaimLedger.IntegrationTests.Infrastructure;
using Kind = ClaimLedger.Contracts.V1.LedgerProblem.Types.Kind;

namespace ClaimLedger.IntegrationTests;

/// <summary>
/// VerifyLedger reads the chain in batches of Ledger:VerifyBatchSize and the tables in pages of Ledger:VerifyStatePageSize (both 3 here: entries 1–3,
/// 4–6, 7–9, …; claims in id order 1–3, 4–6, …). Tampering at the first or last entry of a batch, across a batch
/// boundary, and in the first or last claim of a page is found exactly where it is, as without batches; pages are
/// checked several at a time, and the first problem in claim order is still the one named.
/// </summary>
public sealed class VerifyLedgerBatchTests
{
    private const int BatchSize = 3;

    private static async Task<(ClaimLedgerServer Server, List<Claim> Claims)> StartAsync()
    {
        var server = new ClaimLedgerServer();
        server.Settings["Ledger:VerifyBatchSize"] = BatchSize.ToString(CultureInfo.InvariantCulture);
        server.Settings["Ledger:VerifyStatePageSize"] = BatchSize.ToString(CultureInfo.InvariantCulture);
        var claims = new List<Claim>();
        for (var i = 0; i < 10; i++)
        {
            claims.Add(await server.Claims("batcher").CreateClaimAsync(TestData.NewClaim()));
        }

        var verified = await server.Ledger().VerifyLedgerAsync(new VerifyLedgerRequest());
        verified.Valid.ShouldBeTrue(verified.FirstProblem?.Description);
        verified.EntriesChecked.ShouldBeGreaterThanOrEqualTo(10);
        verified.ClaimsChecked.ShouldBe(10);
        return (server, claims);
    }

    [Theory]
    [InlineData("entry_hash", 3, Kind.HashMismatch)] // the last entry of the first batch
    [InlineData("entry_hash", 4, Kind.HashMismatch)] // the first of the second
    [InlineData("entry_hash", 6, Kind.HashMismatch)]
    [InlineData("entry_hash", 7, Kind.HashMismatch)]
    [InlineData("previous_hash", 4, Kind.ChainBroken)] // its previous entry is the last of the batch before
    [InlineData("previous_hash", 7, Kind.ChainBroken)]
    [InlineData("previous_hash", 5, Kind.ChainBroken)]
    public async Task AnEntryWhoseHashesWereChanged_IsFoundAtThatEntry_WhereverItLiesInABatch(string column, long sequence, Kind kind)
    {
        var (server, _) = await StartAsync();
        await using var owned = server;
        Db.DropTrigger(server.DatabasePath, "ledger_entries", "ledger_entries_no_update");
        LedgerDb.Execute(server.DatabasePath, $"UPDATE ledger_entries SET {column} = @R WHERE sequence = @S", sequence, new string('0', 64)).ShouldBe(1);

        var verification = await server.Ledger().VerifyLedgerAsync(new VerifyLedgerRequest());

        verification.Valid.ShouldBeFalse();
        verification.FirstProblem.Kind.ShouldBe(kind);
        verification.FirstProblem.Sequence.ShouldBe(sequence);
        verification.EntriesChecked.ShouldBe(sequence - 1);
    }

    [Theory]
    [InlineData(3)] // the last of a batch: the gap is seen in the next batch
    [InlineData(4)]
    public async Task ADeletedEntryAtABatchBoundary_IsSequenceGapAtThatSequence(long sequence)
    {
        var (server, _) = await StartAsync();
        await using var owned = server;
        Db.DropTrigger(server.DatabasePath, "ledger_entries", "ledger_entries_no_delete");
        LedgerDb.Execute(server.DatabasePath, "DELETE FROM ledger_entries WHERE sequence = @S", sequence).ShouldBe(1);

        var verification = await server.Ledger().VerifyLedgerAsync(new VerifyLedgerRequest());

        verification.Valid.ShouldBeFalse();
        verification.FirstProblem.Kind.ShouldBe(Kind.SequenceGap);
        verification.FirstProblem.Sequence.ShouldBe(sequence);
        verification.EntriesChecked.ShouldBe(sequence - 1);
    }

    [Theory]
    [InlineData(0)] // first claim of the first page
    [InlineData(2)] // last of the first page
    [InlineData(3)] // first of the second
    [InlineData(9)] // alone on the last page
    public async Task AClaimEditedInTheTable_IsStateMismatchNamingIt_WhereverItLiesInAPage(int position)
    {
        var (server, claims) = await StartAsync();
        await using var owned = server;
        var victim = claims.OrderBy(c => c.Name, StringComparer.Ordinal).ElementAt(position);
        LedgerDb.Execute(server.DatabasePath, "UPDATE claims SET claimant = 'forged' WHERE id = @S", victim.Name["claims/".Length..]).ShouldBe(1);

        var verification = await server.Ledger().VerifyLedgerAsync(new VerifyLedgerRequest());

        verification.Valid.ShouldBeFalse();
        verification.FirstProblem.Kind.ShouldBe(Kind.StateMismatch);
        verification.FirstProblem.Subject.ShouldBe(victim.Name);
        verification.ClaimsChecked.ShouldBe(position);
    }

    [Theory]
    [InlineData(1, 7)] // pages after the first problem's are checked at the same time; the first in claim order is still the one named
    [InlineData(5, 9)]
    [InlineData(3, 4)] // two on one page
    public async Task TwoClaimsEditedOnDifferentPages_TheFirstInClaimOrderIsNamed_WithTheClaimsBeforeIt(int first, int second)
    {
        var (server, claims) = await StartAsync();
        await using var owned = server;
        var ordered = claims.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
        foreach (var position in new[] { second, first })
        {
            LedgerDb.Execute(server.DatabasePath, "UPDATE claims SET claimant = 'forged' WHERE id = @S", ordered[position].Name["claims/".Length..]).ShouldBe(1);
        }

        for (var run = 0; run < 5; run++)
        {
            var verification = await server.Ledger().VerifyLedgerAsync(new VerifyLedgerRequest());

            verification.Valid.ShouldBeFalse();
            verification.FirstProblem.Subject.ShouldBe(ordered[first].Name);
            verification.ClaimsChecked.ShouldBe(first);
        }
    }

    [Fact]
    public async Task EachCall_LogsHowLongEachPassTook_WithWhatItChecked()
    {
        var (server, _) = await StartAsync();
        await using var owned = server;
        var logs = server.CaptureLogs();

        var verification = await server.Ledger().VerifyLedgerAsync(new VerifyLedgerRequest());

        verification.Valid.ShouldBeTrue();
        var entry = logs.Entries.Where(e => e.Category.EndsWith("VerifyLedger.Handler", StringComparison.Ordinal)).ShouldHaveSingleItem();
        entry.Level.ShouldBe(Microsoft.Extensions.Logging.LogLevel.Information);
        entry.Message.ShouldMatch(
            $@"^VerifyLedger: the chain of {verification.EntriesChecked} entries in \d+\.\d\d s; 10 claims and \d+ rows against the ledger in \d+\.\d\d s$");
    }

    [Theory]
    [InlineData("Ledger:VerifyBatchSize", "0", "Ledger:VerifyBatchSize must be between 1 and 100000")]
    [InlineData("Ledger:VerifyStatePageSize", "0", "Ledger:VerifyStatePageSize must be between 1 and 10000")]
    [InlineData("Ledger:VerifyStatePageSize", "10001", "Ledger:VerifyStatePageSize must be between 1 and 10000")]
    public async Task BadVerifySettings_StopStartUp_WithAMessageNamingTheSetting(string setting, string value, string message)
    {
        await using var server = new ClaimLedgerServer { Settings = { [setting] = value } };

        var messages = StartUpFailure.Messages(server);

        messages.ShouldContain(m => m.Contains(message, StringComparison.Ordinal), string.Join(" | ", messages));
    }
}
