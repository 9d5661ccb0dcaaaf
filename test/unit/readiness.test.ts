import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { listenerTimeouts } from '../../src/plugins/http-limits.js';
import { Readiness } from '../../src/readiness.js';

describe('Readiness', () => {
  it('a degraded check stays ready, keeps the first failure time, and clears on the next good load', () => {
    const r = new Readiness();
    r.set('policy', true, 'bundle a serves');
    r.degrade('policy', 'bundle a serves; the last reload failed: x', 'x', new Date('2026-01-01T00:00:00Z'));
    r.degrade('policy', 'bundle a serves; the last reload failed: y', 'y', new Date('2026-01-01T00:05:00Z'));
    assert.deepEqual(r.report(), {
      ready: true, degraded: true,
      checks: { policy: { ok: true, detail: 'bundle a serves; the last reload failed: y', degraded: { failed: 'y', since: '2026-01-01T00:00:00.000Z' } } },
    });
    r.set('policy', true, 'bundle b serves');
    assert.deepEqual(r.report(), { ready: true, degraded: false, checks: { policy: { ok: true, detail: 'bundle b serves' } } });
  });

  it('is unready while a check fails or while draining', () => {
    const r = new Readiness();
    r.set('policy', false, 'no policy bundle loaded: x');
    assert.equal(r.report().ready, false);
    r.set('policy', true, 'bundle a serves');
    r.drain();
    assert.deepEqual(r.report(), { ready: false, degraded: false, checks: { policy: { ok: true, detail: 'bundle a serves' }, shutdown: { ok: false, detail: 'shutting down' } } });
  });
});

describe('listener timeouts', () => {
  it('come from the settings, with the sweep a tenth of the shorter timeout, at most a second', () => {
    assert.deepEqual(listenerTimeouts(loadConfig({}, {})), {
      fastify: { connectionTimeout: 30000, keepAliveTimeout: 100000, requestTimeout: 10000 },
      node: { headersTimeout: 5000, requestTimeout: 10000, keepAliveTimeout: 100000, connectionsCheckingInterval: 500 },
    });
    assert.equal(listenerTimeouts(loadConfig({ headersTimeoutMs: 200, requestTimeoutMs: 300 }, {})).node.connectionsCheckingInterval, 20);
    assert.equal(listenerTimeouts(loadConfig({ headersTimeoutMs: 60000, requestTimeoutMs: 60000 }, {})).node.connectionsCheckingInterval, 1000);
  });

  it('a headers timeout longer than the request timeout fails at start, naming both', () => {
    assert.throws(() => loadConfig({}, { MESHGUARD_HEADERS_TIMEOUT_MS: '20000' }), {
      code: 'MG_ERR_CONFIG_INVALID',
      message: 'invalid configuration: headersTimeoutMs (20000) must not exceed requestTimeoutMs (10000)',
    });
  });
});
