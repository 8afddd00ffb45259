/**
 * The payment order's code content as a QR code. Encoding is the `qrcode` package's (its
 * `create()` gives the module matrix); drawing is one SVG path, so it stays sharp at any size
 * and needs no canvas or data URL under the strict CSP.
 */
import { useMemo } from 'react';
import QRCode from 'qrcode';

export function qrPath(text: string): { size: number; d: string } {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = modules.size;
  let d = '';
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      if (modules.get(y, x)) d += `M${x} ${y}h1v1h-1z`;
    }
  }
  return { size: n, d };
}

export function QrCode({ text, label, testId = 'qr-code' }: { readonly text: string; readonly label: string; readonly testId?: string }) {
  const { size, d } = useMemo(() => qrPath(text), [text]);
  const quiet = 4;
  const view = size + quiet * 2;
  return (
    <svg
      className="k-qr"
      data-testid={testId}
      data-content={text}
      role="img"
      aria-label={label}
      viewBox={`${-quiet} ${-quiet} ${view} ${view}`}
      shapeRendering="crispEdges"
    >
      <rect x={-quiet} y={-quiet} width={view} height={view} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}
