import { useMemo } from 'react';
import { qrPath } from '../kiosk/qr-code';

/**
 * The e-invoice link as a QR code on screen: the same link the receipt's printed QR code carries
 * (the printer draws its own, ESC/POS GS ( k). Encoded by the `qrcode` package (through the kiosk's
 * qrPath) and drawn as one SVG path, so it needs no canvas or data URL under the strict CSP.
 */
export function InvoiceQr({ url, label }: { readonly url: string; readonly label: string }) {
  const { size, d } = useMemo(() => qrPath(url), [url]);
  const quiet = 4;
  const view = size + quiet * 2;
  return (
    <svg className="invoice-qr" data-testid="invoice-qr" data-content={url} role="img" aria-label={label} viewBox={`${-quiet} ${-quiet} ${view} ${view}`} shapeRendering="crispEdges">
      <rect x={-quiet} y={-quiet} width={view} height={view} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}
