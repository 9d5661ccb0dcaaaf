import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:tls';
import { describe, it } from 'node:test';
import { selfSignedCertificate } from '../../../src/tls/certificates.js';
import { ipv6Bytes, selfSignedPem } from '../../../src/tls/self-signed.js';

describe('self-signed certificate', () => {
  it('is an X.509 v3 certificate node:crypto parses, signed by its own P-256 key, with the requested names and validity', () => {
    const notBefore = new Date('2026-01-02T03:04:05Z');
    const notAfter = new Date('2027-01-02T03:04:05Z');
    const { cert, key } = selfSignedPem({ commonName: 'meshguard.localhost', altNames: ['localhost', '127.0.0.1', '::1', 'meshguard.example'], notBefore, notAfter });
    const x509 = new X509Certificate(cert);
    const privateKey = createPrivateKey(key);
    assert.equal(x509.subject, 'CN=meshguard.localhost');
    assert.equal(x509.issuer, 'CN=meshguard.localhost');
    assert.equal(x509.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:meshguard.example');
    assert.equal(x509.ca, false);
    assert.deepEqual(x509.keyUsage, ['1.3.6.1.5.5.7.3.1']);
    assert.equal(new Date(x509.validFrom).toISOString(), notBefore.toISOString());
    assert.equal(new Date(x509.validTo).toISOString(), notAfter.toISOString());
    assert.equal(x509.verify(x509.publicKey), true);
    assert.equal(x509.checkPrivateKey(privateKey), true);
    assert.deepEqual(x509.publicKey.asymmetricKeyDetails, { namedCurve: 'prime256v1' });
    assert.equal(x509.checkHost('meshguard.example'), 'meshguard.example');
    assert.equal(x509.checkHost('other.example'), undefined);
    assert.equal(x509.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(x509.checkIP('::1'), '::1');
    assert.match(x509.serialNumber, /^[0-9A-F]{16}$/);
  });

  it('gives every certificate its own key and serial', () => {
    const request = { commonName: 'a', altNames: ['a'], notBefore: new Date(), notAfter: new Date(Date.now() + 3600_000) };
    const one = new X509Certificate(selfSignedPem(request).cert);
    const two = new X509Certificate(selfSignedPem(request).cert);
    assert.notEqual(one.serialNumber, two.serialNumber);
    assert.equal(one.verify(two.publicKey), false);
  });

  it('serves a TLS handshake a client trusting it completes for localhost and 127.0.0.1', async () => {
    const served = await selfSignedCertificate(['meshguard.test']);
    assert.equal(served.source, 'self-signed');
    assert.ok(served.notAfter.getTime() > Date.now() + 364 * 24 * 3600 * 1000);
    const server = createServer({ cert: served.cert, key: served.key }, (socket) => socket.end('hello'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      for (const servername of ['localhost', 'meshguard.test', undefined]) {
        const socket = connect({ host: '127.0.0.1', port, ca: served.cert, ...(servername ? { servername } : {}) });
        await once(socket, 'secureConnect');
        assert.equal(socket.authorized, true);
        assert.equal(socket.getPeerX509Certificate()?.fingerprint256, new X509Certificate(served.cert).fingerprint256);
        let text = '';
        socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        await once(socket, 'end');
        assert.equal(text, 'hello');
        socket.destroy();
      }
      const wrongName = connect({ host: '127.0.0.1', port, ca: served.cert, servername: 'elsewhere.test' });
      const [err] = (await once(wrongName, 'error')) as [NodeJS.ErrnoException];
      assert.equal(err.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
      wrongName.destroy();
    } finally {
      server.close();
    }
  });

  it('reads IPv6 literals with :: shorthand and an IPv4 tail', () => {
    assert.equal(ipv6Bytes('::1').toString('hex'), '00000000000000000000000000000001');
    assert.equal(ipv6Bytes('::').toString('hex'), '00000000000000000000000000000000');
    assert.equal(ipv6Bytes('2001:db8::8a2e:370:7334').toString('hex'), '20010db80000000000008a2e03707334');
    assert.equal(ipv6Bytes('fe80::').toString('hex'), 'fe800000000000000000000000000000');
    assert.equal(ipv6Bytes('::ffff:192.0.2.1').toString('hex'), '00000000000000000000ffffc0000201');
    assert.equal(ipv6Bytes('1:2:3:4:5:6:7:8').toString('hex'), '00010002000300040005000600070008');
    assert.equal(ipv6Bytes('1:2:3:4:5:6:7::').toString('hex'), '00010002000300040005000600070000');
    for (const bad of ['1::2::3', ':::', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1::2:3:4:5:6:7:8', '12345::', 'g::1', '::ffff:300.0.0.1']) {
      assert.throws(() => ipv6Bytes(bad), { name: 'RangeError', message: `invalid IPv6 address ${JSON.stringify(bad)}` });
    }
  });
});
