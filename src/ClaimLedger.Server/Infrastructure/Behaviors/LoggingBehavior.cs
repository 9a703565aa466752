using System.Diagnostics;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Messaging;
using FluentValidation;
using MediatR;

namespace ClaimLedger.Server.Infrastructure.Behaviors;

public sealed class LoggingBehavior<TRequest, TResponse>(ILogger<LoggingBehavior<TRequest, TResponse>> logger)
    : IPipelineBehavior<TRequest, TResponse>
{
    private static readonly bool IsCommand = RequestNames.IsCommand(typeof(TRequest));

    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        var name = RequestNames.Of(typeof(TRequest));
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await next();
            // Commands at Information (they change the record); queries at Debug (watchers poll, dashboards list).
            logger.Log(IsCommand ? LogLevel.Information : LogLevel.Debug, "{Request} succeeded in {ElapsedMs:0.0} ms",
                name, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return response;
        }
        catch (Exception e) when (e is DomainException or ValidationException or OperationCanceledException)
        {
            // Bounded like a reply: a request with 1,000 bad items makes one short line, not a megabyte of log.
            logger.LogInformation("{Request} rejected in {ElapsedMs:0.0} ms: {Reason}", name, Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                ClientText.Clean(e.Message, 512));
            throw;
        }
        catch (Exception e)
        {
            logger.LogError(e, "{Request} failed in {ElapsedMs:0.0} ms", name, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            throw;
        }
    }
}
