using System.Text.RegularExpressions;

namespace ClaimLedger.Server.Infrastructure.Grpc;

/// <summary>Who is making the current call; recorded on every write.</summary>
public interface ICurrentActor
{
    string Name { get; }
}

/// <summary>
/// Until API keys arrive (authentication is a separate capability), the actor is what the client declares in the
/// "x-claimledger-actor" metadata (a-z, 0-9, ".", "_", "-", ":", "@", at most 64), or "anonymous".
/// </summary>
public sealed partial class HeaderActor(IHttpContextAccessor http) : ICurrentActor
{
    public const string Header = "x-claimledger-actor";
    public const string Anonymous = "anonymous";

    public string Name
    {
        get
        {
            var value = http.HttpContext?.Request.Headers[Header].ToString();
            return !string.IsNullOrEmpty(value) && Allowed().IsMatch(value) ? value : Anonymous;
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9._:@-]{1,64}\z")]
    private static partial Regex Allowed();
}
