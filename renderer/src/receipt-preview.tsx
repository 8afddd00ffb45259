/**
 * A receipt as printed, from the same receipt model the printer gets (`layoutReceiptText` in the
 * core): a monospace CJK font keeps the printer's columns (a Chinese character is two columns).
 */
export function ReceiptPreview({ lines, testId }: { readonly lines: readonly string[]; readonly testId: string }) {
  return (
    <pre className="receipt-preview" data-testid={testId}>
      {lines.join('\n')}
    </pre>
  );
}
