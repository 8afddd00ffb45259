/**
 * Receipt build (layout) + ESC/POS encode time per receipt, and decoder throughput.
 * A typical counter receipt: header, ~14 lines, QR e-invoice link, barcode, cut.
 */
import { EscPosStreamDecoder } from '../../kiosk-drivers/printer/escpos-decoder.js';
import { encodeReceipt } from '../../kiosk-drivers/printer/escpos-encoder.js';
import type { Receipt, ReceiptLine } from '../../kiosk-drivers/printer/receipt-model.js';
import { atMost, info, median, percentile, timeEach, type BenchResult } from './harness.js';

function buildReceipt(i: number): Receipt {
  const fen = 1250 + i;
  const yuan = `¥${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
  const lines: ReceiptLine[] = [
    { kind: 'text', text: '国网某某供电公司 营业厅', align: 'center' },
    { kind: 'text', text: '电费收据', align: 'center', bold: true, size: 2 },
    { kind: 'rule' },
    { kind: 'pair', left: '户号', right: `31001${String(i).padStart(5, '0')}` },
    { kind: 'pair', left: '户名', right: '张三' },
    { kind: 'pair', left: '地址', right: '浦东新区某某路 123 弄 45 号 602 室' },
    { kind: 'pair', left: '电费月份', right: '2026-10' },
    { kind: 'pair', left: '应缴金额', right: yuan },
    { kind: 'pair', left: '违约金', right: '¥0.00' },
    { kind: 'pair', left: '实收金额', right: yuan, bold: true },
    { kind: 'pair', left: '支付方式', right: '现金' },
    { kind: 'pair', left: '收款员', right: '0042 李四' },
    { kind: 'pair', left: '交易时间', right: '2026-11-27 10:15:00' },
    { kind: 'rule' },
    { kind: 'text', text: '扫码开具电子发票', align: 'center' },
    { kind: 'qr', data: `https://einvoice.example.cn/q?o=P2026112700${i}` },
    { kind: 'barcode', data: `P2026112700${i}` },
    { kind: 'feed', lines: 1 },
    { kind: 'text', text: '客服热线 95598  谢谢惠顾', align: 'center' },
  ];
  return { lines };
}

export async function run(): Promise<BenchResult[]> {
  for (let i = 0; i < 200; i++) encodeReceipt(buildReceipt(i)); // warm up JIT and iconv tables
  const encode = timeEach(2000, (i) => {
    encodeReceipt(buildReceipt(i));
  });
  const sample = encodeReceipt(buildReceipt(1));
  const decode = timeEach(2000, () => {
    const d = new EscPosStreamDecoder();
    d.push(sample);
  });
  return [
    atMost('printer: build + encode one receipt (median)', median(encode), 'ms', 2),
    info('printer: build + encode one receipt (p99)', percentile(encode, 99), 'ms'),
    info('printer: encoded receipt size', sample.length, 'bytes'),
    info('printer: decode one receipt in the simulator (median)', median(decode), 'ms'),
  ];
}
