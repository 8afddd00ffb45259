/**
 * The demo's site file (`npm start` writes it next to its databases). Its backend is the reference
 * backend on loopback, which is what makes it the demo: the shipped demo terminal secret, the demo
 * vending key and simulated devices are accepted only with a loopback backend (README, "Configure
 * a terminal"). Kept apart from scripts/demo.ts so a test can check that the demo still loads.
 */
export interface DemoSiteOptions {
  readonly dataDir: string;
  readonly backendUrl: string;
  readonly printer: { readonly host: string; readonly port: number };
  readonly mode?: string;
}

export function demoSiteConfig(opts: DemoSiteOptions): Record<string, unknown> {
  return {
    dataDir: opts.dataDir,
    backend: { url: opts.backendUrl },
    printer: { transport: 'network', host: opts.printer.host, port: opts.printer.port },
    // Simulated card reader/writer (with a demo card inserted) and wedge + POS scanners.
    devices: { simulated: true },
    ...(opts.mode ? { mode: opts.mode } : {}),
  };
}
