import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KeyAndCertificate {
  cert: string;
  key: string;
}

export interface CertificateAuthority extends KeyAndCertificate {
  /** A server certificate for localhost / 127.0.0.1 signed by this CA. */
  issueServer(): KeyAndCertificate;
  /** A client certificate (extendedKeyUsage clientAuth) with this CN, signed by this CA. */
  issueClient(commonName: string): KeyAndCertificate;
}

const openssl = (args: string[]): void => {
  execFileSync('openssl', args, { stdio: 'ignore' });
};

/** Throw-away CA made with the openssl command line tool (P-256 keys, valid one day). */
export function makeCertificateAuthority(name = 'Test CA'): CertificateAuthority {
  const dir = mkdtempSync(join(tmpdir(), 'broker-ca-'));
  let serial = 0;
  try {
    const caKey = join(dir, 'ca.key');
    const caCert = join(dir, 'ca.pem');
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${name}`, '-days', '1', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-keyout', caKey, '-out', caCert]);
    const ca = { cert: readFileSync(caCert, 'utf8'), key: readFileSync(caKey, 'utf8') };
    const issue = (commonName: string, extensions: string): KeyAndCertificate => {
      const work = mkdtempSync(join(tmpdir(), 'broker-cert-'));
      try {
        writeFileSync(join(work, 'ca.key'), ca.key);
        writeFileSync(join(work, 'ca.pem'), ca.cert);
        writeFileSync(join(work, 'ext.cnf'), extensions);
        const key = join(work, 'key.pem');
        const csr = join(work, 'req.csr');
        const cert = join(work, 'cert.pem');
        openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${commonName}`, '-keyout', key, '-out', csr]);
        openssl(['x509', '-req', '-in', csr, '-CA', join(work, 'ca.pem'), '-CAkey', join(work, 'ca.key'), '-set_serial', String(Date.now() * 1000 + ++serial), '-days', '1', '-extfile', join(work, 'ext.cnf'), '-out', cert]);
        return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    };
    return {
      ...ca,
      issueServer: () => issue('localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'),
      issueClient: (commonName) => issue(commonName, 'extendedKeyUsage=clientAuth\n'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
