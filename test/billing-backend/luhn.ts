/**
 * Luhn (mod 10) check digit, as IEC 62055-41 uses for the meter number (IIN + DRN + check digit).
 * Doubling starts at the rightmost digit of the payload, i.e. the digit next to the check digit.
 */
export function luhnCheckDigit(payload: string): string {
  if (!/^\d+$/.test(payload)) throw new Error('Luhn payload must be decimal digits');
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    let d = Number(payload[payload.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

export function isLuhnValid(number: string): boolean {
  return number.length >= 2 && luhnCheckDigit(number.slice(0, -1)) === number.slice(-1);
}
