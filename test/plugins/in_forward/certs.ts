import 'reflect-metadata'; // @peculiar/x509 resolves its parts through tsyringe, which needs it
import { webcrypto } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/** A CA and a server certificate it signed (for localhost, 127.0.0.1 and ::1), made in JavaScript. */
export interface JsCerts {
  caPem: string;
  certFile: string;
  keyFile: string;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** EC P-256 keys through WebCrypto, certificates through @peculiar/x509: no openssl binary. */
export async function makeJsCerts(): Promise<JsCerts> {
  const subtle = webcrypto.subtle;
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + 2 * 86_400_000);
  const caKeys = (await subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01', name: 'CN=Wren Forward Test CA', notBefore, notAfter, keys: caKeys, signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  const keys = (await subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '02', subject: 'CN=localhost', issuer: ca.subject, notBefore, notAfter,
    signingKey: caKeys.privateKey, publicKey: keys.publicKey, signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'localhost' }, { type: 'ip', value: '127.0.0.1' }, { type: 'ip', value: '::1' }]),
    ],
  });
  const dir = mkdtempSync(join(tmpdir(), 'wren-fwd-certs-'));
  const pkcs8 = await subtle.exportKey('pkcs8', keys.privateKey);
  const certFile = join(dir, 'server.pem');
  const keyFile = join(dir, 'server.key');
  writeFileSync(certFile, cert.toString('pem'));
  writeFileSync(keyFile, x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'));
  return { caPem: ca.toString('pem'), certFile, keyFile };
}
