namespace ClaimLedger.IntegrationTests.Infrastructure;

/// <summary>What a server that refuses to start says: the messages of the exception and all its inner ones.</summary>
public static class StartUpFailure
{
    /// <summary>Starts <paramref name="server"/>, which must fail, and returns every message of the failure, outermost first.</summary>
    public static IReadOnlyList<string> Messages(ClaimLedgerServer server)
    {
        var thrown = Should.Throw<Exception>(() => server.Services);
        var messages = new List<string>();
        for (var e = thrown; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
        }

        return messages;
    }
}
