export const PRINTER_ERROR_CODES = [
  'printer.paper_out',
  'printer.cover_open',
  'printer.offline',
  'printer.job_failed',
] as const;
