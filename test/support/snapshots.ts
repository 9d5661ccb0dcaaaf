import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Inventory } from '../../src/inventory/inventory.js';
import type { KubeObject } from '../../src/inventory/objects.js';
import { encodeSnapshot, type SnapshotHeader } from '../../src/snapshot/format.js';

/** The mesh of the serverless tests: DestinationRule `reviews` in `shop` defines subset v1 only. */
export const SHOP_MESH: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } } },
  { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'reviews', namespace: 'shop' }, spec: { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] } },
];

/** A VirtualService in `shop` routing to subset `subset` of reviews. */
export function reviewsRoute(subset: string): KubeObject {
  return {
    apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'reviews', namespace: 'shop' },
    spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset } }] }] },
  };
}

/** The snapshot artifact of an inventory holding `objects` (their kinds declared), taken at `createdAt`. */
export async function snapshotOf(objects: KubeObject[], createdAt = new Date()): Promise<{ bytes: Buffer; header: SnapshotHeader }> {
  const inventory = new Inventory();
  for (const o of objects) inventory.upsert(o);
  return encodeSnapshot(inventory, createdAt);
}

/** Writes snapshot bytes to a new temporary file and returns its path. */
export async function snapshotFile(bytes: Buffer): Promise<string> {
  const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'meshguard-snapshot-')), 'snapshot.gz');
  await writeFile(file, bytes);
  return file;
}
