/**
 * Certificates for TLS tests, made at run time with the openssl CLI (no private key is checked
 * in): a test CA, a second unrelated CA, and server certificates — one from the test CA for
 * 127.0.0.1/localhost, one from the other CA for the same names, one from the test CA for another
 * host name only. EC P-256 keys, valid for two days from now (TLS checks them against the real
 * clock, not a test's pinned one).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface ServerCert {
  readonly key: string;
  readonly cert: string;
}

export interface TestPki {
  readonly dir: string;
  /** PEM file of the test CA (what `backend.caFile` names). */
  readonly caFile: string;
  /** From the test CA, for IP 127.0.0.1 and DNS localhost. */
  readonly server: ServerCert;
  /** From another CA, for the same names. */
  readonly serverFromOtherCa: ServerCert;
  /** From the test CA, but for `billing.example.invalid` only. */
  readonly serverForOtherHost: ServerCert;
  dispose(): void;
}

function openssl(args: readonly string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir: string, name: string, cn: string): void {
  openssl(
    [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${cn}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
}

function makeServer(dir: string, name: string, ca: string, altNames: string): ServerCert {
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
  writeFileSync(
    path.join(dir, `${name}.ext`),
    `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${altNames}\n`,
  );
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`], dir);
  return { key: readFileSync(path.join(dir, `${name}.key`), 'utf8'), cert: readFileSync(path.join(dir, `${name}.pem`), 'utf8') };
}

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(path.join(tmpdir(), 'gd-pki-'));
  makeCa(dir, 'ca', 'GridDesk Test CA');
  makeCa(dir, 'other-ca', 'Somebody Else CA');
  const local = 'IP:127.0.0.1,DNS:localhost';
  return {
    dir,
    caFile: path.join(dir, 'ca.pem'),
    server: makeServer(dir, 'server', 'ca', local),
    serverFromOtherCa: makeServer(dir, 'server-other-ca', 'other-ca', local),
    serverForOtherHost: makeServer(dir, 'server-other-host', 'ca', 'DNS:billing.example.invalid'),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
