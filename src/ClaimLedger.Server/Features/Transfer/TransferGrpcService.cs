using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using FluentValidation;
using Grpc.Core;
using MediatR;

namespace ClaimLedger.Server.Features.Transfer;

/// <summary>
/// claimledger.v1.TransferService. ImportClaims sends each record as its own ImportClaim command (own transaction, own
/// ledger entry) and turns the outcome into a per-record result, so one bad record stops nothing.
/// </summary>
public sealed class TransferGrpcService(IMediator mediator) : TransferService.TransferServiceBase
{
    public const int MaxRecords = 100_000;

    public override async Task<ImportClaimsResponse> ImportClaims(IAsyncStreamReader<ImportClaimsRequest> requestStream, ServerCallContext context)
    {
        await mediator.Send(new ImportClaim.MayImport(), context.CancellationToken);
        var response = new ImportClaimsResponse();
        long index = 0;
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            if (index >= MaxRecords)
            {
                throw new InvalidFieldException("record", $"an import takes at most {MaxRecords} records; split the file");
            }

            var result = new ImportResult { Index = index++ };
            try
            {
                var imported = await mediator.Send(new ImportClaim.Command(request.Record ?? new ClaimRecord()), context.CancellationToken);
                result.Claim = imported.Claim.Name;
                if (imported.Attached)
                {
                    result.Outcome = ImportResult.Types.Outcome.Attached;
                    result.Reason = imported.Note;
                    response.Attached++;
                }
                else
                {
                    result.Outcome = ImportResult.Types.Outcome.Created;
                    response.Created++;
                }
            }
            catch (AlreadyExistsException e)
            {
                // Permission and authentication failures are not per-record: they end the call (the interceptor maps them).
                result.Outcome = ImportResult.Types.Outcome.Duplicate;
                result.Claim = e.Resources.FirstOrDefault() ?? "";
                result.Reason = e.Message;
                response.Duplicates++;
            }
            catch (Exception e) when (e is ValidationException or InvalidFieldException or FailedPreconditionException or NotFoundException)
            {
                result.Outcome = ImportResult.Types.Outcome.Invalid;
                result.Reason = e is ValidationException v ? string.Join("; ", v.Errors.Select(f => $"{f.PropertyName}: {f.ErrorMessage}")) : e.Message;
                response.Invalid++;
            }

            response.Results.Add(result);
        }

        return response;
    }

    public override Task ExportClaims(ExportClaimsRequest request, IServerStreamWriter<ClaimRecord> responseStream, ServerCallContext context) =>
        mediator.Send(new ExportClaims.Query(request.Topic, responseStream), context.CancellationToken);
}
