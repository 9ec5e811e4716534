import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';

/** A throwaway CA and a server certificate it signed, for 127.0.0.1 / localhost / ::1. */
export interface TestCerts {
  dir: string;
  caFile: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** An RSA-2048 key pair from node:crypto (native: fast), as node-forge keys. */
function keyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; pem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return {
    privateKey: forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey,
    publicKey: forge.pki.publicKeyFromPem(publicKey) as forge.pki.rsa.PublicKey,
    pem: privateKey,
  };
}

function certificate(publicKey: forge.pki.rsa.PublicKey, subject: string, issuer: string,
  extensions: object[]): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`; // positive
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 2 * 86_400_000);
  cert.setSubject([{ name: 'commonName', value: subject }]);
  cert.setIssuer([{ name: 'commonName', value: issuer }]);
  cert.setExtensions(extensions);
  return cert;
}

/**
 * Made in-process with node:crypto (keys) and node-forge (the X.509 structures, SHA-256
 * signatures): no `openssl` binary. Valid for 2 days; the leaf names 127.0.0.1, ::1 and `names`.
 */
export function makeTestCerts(names: string[] = ['localhost']): TestCerts {
  const ca = keyPair();
  const caCert = certificate(ca.publicKey, 'Wren Test CA', 'Wren Test CA', [
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  caCert.sign(ca.privateKey, forge.md.sha256.create());
  const leaf = keyPair();
  const leafCert = certificate(leaf.publicKey, names[0] ?? 'localhost', 'Wren Test CA', [
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }, ...names.map((value) => ({ type: 2, value }))] },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  leafCert.sign(ca.privateKey, forge.md.sha256.create());
  const dir = mkdtempSync(join(tmpdir(), 'wren-certs-'));
  const caPem = forge.pki.certificateToPem(caCert);
  const certPem = forge.pki.certificateToPem(leafCert);
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, caPem);
  writeFileSync(join(dir, 'server.pem'), certPem);
  writeFileSync(join(dir, 'server.key'), leaf.pem, { mode: 0o600 });
  return { dir, caFile, caPem, certPem, keyPem: leaf.pem };
}
