using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Features.Claims;
using ClaimLedger.Server.Infrastructure;
using ClaimLedger.Server.Infrastructure.Behaviors;
using FluentValidation;
using MediatR;
using MediatR.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ClaimLedger.UnitTests.Infrastructure;

public sealed class PipelineOrderTests
{
    private static ServiceProvider BuildProvider()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHttpContextAccessor();
        services.AddClaimLedger(new ConfigurationBuilder().Build());
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }

    /// <summary>The generic definitions of the behaviors the container builds for a request type, outermost first.</summary>
    private static async Task<List<Type>> BehaviorTypesAsync<TRequest, TResponse>()
        where TRequest : IRequest<TResponse>
    {
        await using var provider = BuildProvider();
        await using var scope = provider.CreateAsyncScope();
        return scope.ServiceProvider.GetServices<IPipelineBehavior<TRequest, TResponse>>()
            .Select(b => b.GetType().GetGenericTypeDefinition())
            .ToList();
    }

    [Fact]
    public void PipelineOrder_IsLoggingAuthorizationValidationIdempotencyPreProcessorsTransactionLedger()
    {
        PipelineOrder.Behaviors.ShouldBe(
        [
            typeof(LoggingBehavior<,>),
            typeof(AuthorizationBehavior<,>),
            typeof(ValidationBehavior<,>),
            typeof(IdempotencyBehavior<,>),
            typeof(RequestPreProcessorBehavior<,>),
            typeof(TransactionBehavior<,>),
            typeof(LedgerBehavior<,>),
        ]);
    }

    [Fact]
    public async Task AddClaimLedger_ResolvesACommandsBehaviorsOutermostFirst_InPipelineOrder()
    {
        var behaviors = await BehaviorTypesAsync<CreateClaim.Command, Claim>();

        behaviors.ShouldBe(PipelineOrder.Behaviors);
    }

    [Fact]
    public async Task AddClaimLedger_BuildsAQuerysPipelineWithoutTheWriteOnlyBehaviors_InPipelineOrder()
    {
        var behaviors = await BehaviorTypesAsync<GetClaim.Query, Claim>();

        // Request ids, the transaction and the ledger entry concern writes only (IWriteRequest): a query is not given them.
        behaviors.ShouldBe(
        [
            typeof(LoggingBehavior<,>),
            typeof(AuthorizationBehavior<,>),
            typeof(ValidationBehavior<,>),
            typeof(RequestPreProcessorBehavior<,>),
        ]);
    }

    [Fact]
    public async Task AddClaimLedger_GivesABulkCommandItsTransactionAndLedgerEntries()
    {
        var behaviors = await BehaviorTypesAsync<ClaimLedger.Server.Features.Verification.MarkStale.Batch, IReadOnlyList<ClaimLedger.Server.Features.Verification.MarkStale.Marked>>();

        behaviors.ShouldContain(typeof(TransactionBehavior<,>));
        behaviors.ShouldContain(typeof(LedgerBehavior<,>));
    }

    [Fact]
    public async Task AddClaimLedger_ClosesEachBehaviorOverTheRequestAndResponse()
    {
        await using var provider = BuildProvider();
        await using var scope = provider.CreateAsyncScope();

        var behaviors = scope.ServiceProvider.GetServices<IPipelineBehavior<CreateClaim.Command, Claim>>().ToList();

        behaviors.Count.ShouldBe(7);
        foreach (var behavior in behaviors)
        {
            behavior.GetType().GetGenericArguments().ShouldBe([typeof(CreateClaim.Command), typeof(Claim)]);
        }
    }

    [Fact]
    public void PipelineOrder_ListsEveryPipelineBehaviorOfTheServerAssembly()
    {
        var found = typeof(PipelineOrder).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false, IsGenericTypeDefinition: true })
            .Where(t => t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IPipelineBehavior<,>)))
            .ToList();

        found.ShouldNotBeEmpty();
        PipelineOrder.Behaviors.Where(b => b.Assembly == typeof(PipelineOrder).Assembly).ShouldBe(found, ignoreOrder: true);
    }

    [Fact]
    public async Task AddClaimLedger_RegistersTheHandlerAndTheValidatorOfARequest()
    {
        await using var provider = BuildProvider();
        await using var scope = provider.CreateAsyncScope();

        scope.ServiceProvider.GetServices<IValidator<CreateClaim.Command>>().Single().ShouldBeOfType<CreateClaim.Validator>();
        scope.ServiceProvider.GetServices<IRequestHandler<GetClaim.Query, Claim>>().Count().ShouldBe(1);
        scope.ServiceProvider.GetRequiredService<IMediator>().ShouldNotBeNull();
    }
}
