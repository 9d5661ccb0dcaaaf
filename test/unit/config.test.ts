import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { SETTINGS, envName, flagName, loadConfig } from '../../src/config.js';

async function yamlFile(text: string): Promise<string> {
  const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'meshguard-cfg-')), 'config.yaml');
  await writeFile(file, text);
  return file;
}

describe('configuration', () => {
  it('has one env var and one flag per setting', () => {
    assert.equal(envName('probePort'), 'MESHGUARD_PROBE_PORT');
    assert.equal(flagName('tlsCertFile'), '--tls-cert-file');
    assert.equal(new Set(SETTINGS.map((s) => envName(s.key))).size, SETTINGS.length);
  });

  it('defaults', () => {
    const c = loadConfig({}, {});
    assert.equal(c.port, 8443);
    assert.equal(c.probePort, 8080);
    assert.equal(c.bodyLimit, 3 * 1024 * 1024);
    assert.equal(c.failureMode, 'deny');
    assert.equal(c.tlsCertFile, undefined);
    assert.ok(Object.isFrozen(c));
  });

  it('takes flags over env vars over the file over defaults', async () => {
    const file = await yamlFile('port: 9001\nprobePort: 9002\nlogLevel: debug\nfailureMode: allow\n');
    const c = loadConfig({ config: file, port: 9100 }, { MESHGUARD_PORT: '9200', MESHGUARD_PROBE_PORT: '9300' });
    assert.deepEqual([c.port, c.probePort, c.logLevel, c.failureMode], [9100, 9300, 'debug', 'allow']);
  });

  it('reads MESHGUARD_CONFIG when no flag names a file', async () => {
    const file = await yamlFile('bodyLimit: 2048\n');
    assert.equal(loadConfig({}, { MESHGUARD_CONFIG: file }).bodyLimit, 2048);
  });

  it('fails at start naming the option and its source', async () => {
    assert.throws(() => loadConfig({}, { MESHGUARD_PORT: 'eighty' }), {
      code: 'MG_ERR_CONFIG_INVALID',
      message: 'invalid configuration: port (env MESHGUARD_PORT) must be a whole number from 0 to 65535, got "eighty"',
    });
    assert.throws(() => loadConfig({ failureMode: 'maybe' }, {}), {
      message: 'invalid configuration: failureMode (flag --failure-mode) must be one of deny, allow, got "maybe"',
    });
    const file = await yamlFile('bodyLimit: 10\n');
    assert.throws(() => loadConfig({ config: file }, {}), {
      message: `invalid configuration: bodyLimit (${file}: bodyLimit) must be a whole number from 1024 to 67108864, got 10`,
    });
  });

  it('rejects unknown keys in the file and half a TLS pair', async () => {
    const file = await yamlFile('prot: 1\n');
    assert.throws(() => loadConfig({ config: file }, {}), { message: `invalid configuration: ${file}: unknown setting prot` });
    assert.throws(() => loadConfig({ tlsCertFile: '/x.crt' }, {}), { message: 'invalid configuration: tlsCertFile and tlsKeyFile must be set together' });
  });

  it('names an unreadable config file', () => {
    assert.throws(() => loadConfig({ config: '/nonexistent.yaml' }, {}), { code: 'MG_ERR_CONFIG_FILE' });
  });
});
