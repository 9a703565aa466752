using Google.Protobuf;
using Grpc.Core;

namespace ClaimLedger.Server.Infrastructure.Grpc;

/// <summary>
/// A request stream whose messages that do not parse (bytes that are no protobuf, truncated input, a string that is
/// not UTF-8) are INVALID_ARGUMENT, reason MALFORMED_REQUEST: the client's mistake, not a fault of ours (INTERNAL).
/// <see cref="ErrorMappingInterceptor"/> hands every streaming handler its request stream through this.
/// </summary>
internal sealed class ParsedRequestStream<T>(IAsyncStreamReader<T> inner) : IAsyncStreamReader<T>
{
    public T Current => inner.Current;

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        try
        {
            return await inner.MoveNext(cancellationToken);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw ErrorMappingInterceptor.MalformedRequest(typeof(T), e);
        }
    }
}
