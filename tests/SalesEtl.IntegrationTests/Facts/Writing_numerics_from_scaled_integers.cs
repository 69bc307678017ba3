using CsCheck;
using SalesEtl.Data.Facts;

namespace SalesEtl.IntegrationTests.Facts;

/// <summary>
/// The customers' money and average gaps go out as PgBinaryCopy.Row.Numeric(mantissa, scale), without a decimal: the
/// bytes must be those of Row.Numeric(decimal) for the same value and scale, which the raw COPY tests hold to Npgsql's.
/// </summary>
public sealed class Writing_numerics_from_scaled_integers
{
    [Fact]
    public void Should_write_the_bytes_of_the_decimal_of_the_same_mantissa_and_scale()
    {
        var mantissas = Gen.Frequency((6, Gen.Long), (3, Gen.Long[-1_000_000, 1_000_000]), (1, Gen.OneOf(0L, 1L, -1L, long.MaxValue, long.MinValue, 10_000L, 100_000_000L)));
        Gen.Select(mantissas, Gen.Int[0, 8]).Sample((mantissa, scale) =>
        {
            var magnitude = (UInt128)Int128.Abs(mantissa);
            var value = new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), 0, mantissa < 0, (byte)scale);
            var expected = new byte[64];
            var fromDecimal = new PgBinaryCopy.Row(expected, 1);
            fromDecimal.Numeric(value);
            var actual = new byte[64];
            var fromInteger = new PgBinaryCopy.Row(actual, 1);
            fromInteger.Numeric(mantissa, scale);
            Assert.Equal(expected.AsSpan(0, fromDecimal.Length).ToArray(), actual.AsSpan(0, fromInteger.Length).ToArray());
        }, iter: 20_000);
    }
}
