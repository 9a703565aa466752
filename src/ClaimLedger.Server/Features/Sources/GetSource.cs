using ClaimLedger.Contracts.V1;
using ClaimLedger.Server.Domain;
using ClaimLedger.Server.Infrastructure.Data;
using ClaimLedger.Server.Infrastructure.Messaging;
using ClaimLedger.Server.Infrastructure.Security;
using FluentValidation;
using MediatR;

namespace ClaimLedger.Server.Features.Sources;

public static class GetSource
{
    [Requires(Permission.Read)]
    public sealed record Query(string Name) : IQuery<Source>;

    public sealed class Validator : AbstractValidator<Query>
    {
        public Validator() =>
            RuleFor(q => q.Name).Must(ResourceNames.IsSource).OverridePropertyName("name").WithMessage("must be a source name, sources/{source}");
    }

    internal sealed class Handler(DbSession db) : IRequestHandler<Query, Source>
    {
        public async Task<Source> Handle(Query query, CancellationToken ct)
        {
            ResourceNames.TryParseSource(query.Name, out var id);
            return (await SourceReads.RowAsync(db, id, ct)).ToSource();
        }
    }
}
