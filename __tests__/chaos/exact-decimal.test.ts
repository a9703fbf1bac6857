import { compareDecimal, decimalOfNumber, decimalOfText, exactDecimal } from '../../chaos/engine/exact-decimal';

const d = (text: string) => {
  const value = decimalOfText(text);
  if (value === null) throw new Error(`not a decimal: ${text}`);
  return value;
};

// Each expectation is Python's: Decimal(a) compared with Decimal(b).
describe("exact-decimal: Python's Decimal, without rounding", () => {
  it('reads decimal strings exactly, as Decimal() does', () => {
    expect(d('9007199254740993')).toEqual({ kind: 'finite', coefficient: 9007199254740993n, exponent: 0 });
    expect(d(' -1_000.50 ')).toEqual({ kind: 'finite', coefficient: -100050n, exponent: -2 });
    expect(d('1e-3')).toEqual({ kind: 'finite', coefficient: 1n, exponent: -3 });
    expect(d('.5')).toEqual({ kind: 'finite', coefficient: 5n, exponent: -1 });
    expect(d('-Infinity')).toEqual({ kind: 'infinity', negative: true });
    for (const bad of ['0x10', '', '1,5', 'NaN', '1__0', '_1']) expect(decimalOfText(bad)).toBeNull();
  });

  it("gives a double's exact value, as Decimal(float) does", () => {
    // Decimal(0.1) == Decimal('0.1000000000000000055511151231257827021181583404541015625')
    expect(compareDecimal(decimalOfNumber(0.1), d('0.1000000000000000055511151231257827021181583404541015625'))).toBe(0);
    expect(compareDecimal(decimalOfNumber(0.1), d('0.1'))).toBe(1);
    expect(compareDecimal(decimalOfNumber(2 ** 53), d('9007199254740993'))).toBe(-1);
    expect(compareDecimal(decimalOfNumber(5e-324), d('0'))).toBe(1);
    expect(exactDecimal(true)).toEqual({ kind: 'finite', coefficient: 1n, exponent: 0 });
    expect(exactDecimal(null)).toBeNull();
  });

  it.each<[string, string, number]>([
    ['1', '1.000', 0],
    ['-2', '1', -1],
    ['0', '-0.0', 0],
    ['1e999999', '2', 1],
    ['-1e999999', '-2', -1],
    ['1e-999999', '0', 1],
    ['123.45', '123.449999999999999999999', 1],
    ['Infinity', '1e999999', 1],
    ['-inf', '-1e999999', -1],
  ])('%s vs %s: %d', (a, b, expected) => {
    expect(compareDecimal(d(a), d(b))).toBe(expected);
    expect(compareDecimal(d(b), d(a))).toBe(expected === 0 ? 0 : -expected);
  });
});
