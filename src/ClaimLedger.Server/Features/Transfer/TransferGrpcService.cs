using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;
using FluentValidation;
using Grpc.Core;
using MediatR;

namespace ClaimLedger.Server.Features.Transfer;

/// <summary>
/// claimledger.v1.TransferService. ImportClaims sends each record as its own ImportClaim command (own transaction, own
/// ledger entry) and turns whatever happens to it — created, attached, duplicate, invalid, or a fault of ours — into that
/// record's result, so one record stops nothing and the summary counts exactly what was written. Only the caller's
/// own authorisation, its cancellation, and the server shutting down end the stream; on shutdown the response says
/// where reading stopped.
/// </summary>
public sealed class TransferGrpcService(IMediator mediator, IHostApplicationLifetime lifetime, ILogger<TransferGrpcService> logger)
    : TransferService.TransferServiceBase
{
    public const int MaxRecords = 100_000;

    public override async Task<ImportClaimsResponse> ImportClaims(IAsyncStreamReader<ImportClaimsRequest> requestStream, ServerCallContext context)
    {
        await mediator.Send(new ImportClaim.MayImport(), context.CancellationToken);
        var response = new ImportClaimsResponse();
        long index = 0;
        while (await NextAsync(requestStream, context, response, index))
        {
            if (index >= MaxRecords)
            {
                throw new InvalidFieldException("record", $"an import takes at most {MaxRecords} records; split the file");
            }

            var result = new ImportResult { Index = index++ };
            await ImportOneAsync(requestStream.Current.Record ?? new ClaimRecord(), result, response, context);
            response.Results.Add(result);
            if (lifetime.ApplicationStopping.IsCancellationRequested)
            {
                response.StoppedReason = $"The server is shutting down: records after index {result.Index} were not read; send them again.";
                break;
            }
        }

        return response;
    }

    /// <summary>The next record; false at the stream's end, or when the server starts stopping while the client is between records.</summary>
    private async Task<bool> NextAsync(IAsyncStreamReader<ImportClaimsRequest> requestStream, ServerCallContext context, ImportClaimsResponse response, long index)
    {
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        try
        {
            return await requestStream.MoveNext(waiting.Token);
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            response.StoppedReason = $"The server is shutting down: records from index {index} on were not read; send them again.";
            return false;
        }
    }

    private async Task ImportOneAsync(ClaimRecord record, ImportResult result, ImportClaimsResponse response, ServerCallContext context)
    {
        try
        {
            // Not the call's token: once a record is being written, it is committed or rolled back as a whole.
            var imported = await mediator.Send(new ImportClaim.Command(record), CancellationToken.None);
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
            result.Outcome = ImportResult.Types.Outcome.Duplicate;
            result.Claim = e.Resources.FirstOrDefault() ?? "";
            result.Reason = e.Message;
            response.Duplicates++;
        }
        catch (Exception e) when (e is ValidationException or InvalidFieldException or FailedPreconditionException or NotFoundException)
        {
            result.Outcome = ImportResult.Types.Outcome.Invalid;
            result.Reason = Bounded(e is ValidationException v ? string.Join("; ", v.Errors.Take(10).Select(f => $"{f.PropertyName}: {f.ErrorMessage}")) : e.Message);
            response.Invalid++;
        }
        catch (Exception e) when (e is not (UnauthenticatedException or PermissionDeniedException) && !context.CancellationToken.IsCancellationRequested)
        {
            // Ours, not the record's: it wrote nothing (its transaction rolled back) and says so; the stream goes on.
            logger.LogError(e, "Import of record {Index} failed on the server's side", result.Index);
            result.Outcome = ImportResult.Types.Outcome.Failed;
            result.Reason = e is CommitFailedException
                ? "The record could not be committed and was not applied; send it again."
                : "A server fault stopped this record; nothing of it was written; send it again.";
            response.Failed++;
        }
    }

    private static string Bounded(string reason) => reason.Length <= 1000 ? reason : reason[..999] + "…";

    public override Task ExportClaims(ExportClaimsRequest request, IServerStreamWriter<ClaimRecord> responseStream, ServerCallContext context) =>
        mediator.Send(new ExportClaims.Query(request.Topic, responseStream), context.CancellationToken);
}
