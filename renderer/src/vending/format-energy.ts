/** 0.01 kWh → "142.8" (whole tenths shown with one decimal) or "37.25". */
export function formatCkwh(ckwh: number): string {
  const whole = Math.floor(ckwh / 100);
  const cents = ckwh % 100;
  return cents % 10 === 0 ? `${whole}.${cents / 10}` : `${whole}.${String(cents).padStart(2, '0')}`;
}

/** centifen per kWh → yuan per kWh text, e.g. 5600 → "0.5600" */
export function formatPrice(centifenPerKwh: number): string {
  return (centifenPerKwh / 10_000).toFixed(4);
}
