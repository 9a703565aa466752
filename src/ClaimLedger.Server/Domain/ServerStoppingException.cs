namespace ClaimLedger.Server.Domain;

/// <summary>
/// UNAVAILABLE (SERVER_STOPPING): the server is shutting down and ended this long-running call (a ledger watch, an
/// export, a report); the message says how to resume. Nothing the call was writing is affected: commands in flight
/// finish before the server stops.
/// </summary>
public sealed class ServerStoppingException(string message) : DomainException("SERVER_STOPPING", message);
