using FluentValidation;
using FluentValidation.Results;

namespace ClaimLedger.UnitTests.Features;

internal static class ValidationAssertions
{
    public const string ClaimA = "claims/0123456789abcdef0123456789abcdef";
    public const string ClaimB = "claims/fedcba9876543210fedcba9876543210";
    public const string SourceA = "sources/00112233445566778899aabbccddeeff";
    public const string EvidenceIdA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1";
    public const string EvidenceIdB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2";

    public static void ShouldBeValid<T>(this IValidator<T> validator, T instance)
    {
        var result = validator.Validate(instance);
        result.Errors.ShouldBeEmpty(Describe(result));
    }

    /// <summary>Asserts that validation fails, and only on <paramref name="propertyName"/>; returns its failures.</summary>
    public static IReadOnlyList<ValidationFailure> ShouldFailOnlyOn<T>(this IValidator<T> validator, T instance, string propertyName)
    {
        var result = validator.Validate(instance);
        result.IsValid.ShouldBeFalse($"expected a failure on {propertyName}");
        result.Errors.Select(e => e.PropertyName).Distinct().ShouldBe([propertyName], Describe(result));
        return result.Errors;
    }

    public static string Text(int length) => new('x', length);

    private static string Describe(ValidationResult result) =>
        "failures: " + string.Join("; ", result.Errors.Select(e => $"{e.PropertyName}: {e.ErrorMessage}"));
}
