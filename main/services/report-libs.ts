/**
 * The report libraries (exceljs, pdfkit) load on first use, not with the core: together they were
 * about 35 MB of the core's memory from its start (a counter or kiosk that never exports paid it
 * all day), and a terminal's memory is a budget (docs/architecture.md, "Memory").
 */
import type ExcelJS from 'exceljs';
import type PDFDocument from 'pdfkit';

export async function excel(): Promise<typeof ExcelJS> {
  return (await import('exceljs')).default;
}

export async function pdfDocument(): Promise<typeof PDFDocument> {
  return (await import('pdfkit')).default;
}
