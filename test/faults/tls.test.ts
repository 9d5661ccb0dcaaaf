import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, type ConnectionOptions } from 'node:tls';
import type { MeshguardServer } from '../../src/server.js';
import { testServer } from '../support/server.js';

/** A real TLS handshake with the admission listener: the protocol and cipher it agreed on, or the error. */
function handshake(port: number, options: ConnectionOptions): Promise<{ protocol: string | null; cipher: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options }, () => {
      const result = { protocol: socket.getProtocol(), cipher: socket.getCipher().name };
      socket.end();
      resolve(result);
    });
    socket.on('error', reject);
  });
}

describe('TLS: 1.3 preferred, 1.2 only with ECDHE and AEAD ciphers', () => {
  let server: MeshguardServer;
  let port: number;
  before(async () => {
    server = await testServer();
    ({ port } = await server.listen());
  });
  after(() => server.close());

  it('a default client gets TLS 1.3', async () => {
    assert.deepEqual(await handshake(port, {}), { protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' });
  });

  it('a TLS 1.2 client gets ECDHE with AES-GCM, in the server\'s order even when it prefers CBC', async () => {
    const offered = 'ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256';
    assert.deepEqual(await handshake(port, { maxVersion: 'TLSv1.2', ciphers: offered }), { protocol: 'TLSv1.2', cipher: 'ECDHE-ECDSA-AES128-GCM-SHA256' });
    assert.deepEqual(await handshake(port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-CHACHA20-POLY1305' }), { protocol: 'TLSv1.2', cipher: 'ECDHE-ECDSA-CHACHA20-POLY1305' });
  });

  for (const cipher of ['ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA', 'ECDHE-ECDSA-AES128-SHA256']) {
    it(`refuses a TLS 1.2 client offering only ${cipher} (CBC)`, async () => {
      await assert.rejects(handshake(port, { maxVersion: 'TLSv1.2', ciphers: cipher }), /handshake failure/);
    });
  }

  it('refuses TLS 1.1', async () => {
    await assert.rejects(handshake(port, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' }));
  });
});
