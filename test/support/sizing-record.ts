/** The expected `meshguard.io/sidecar-sizing` record of tests, written out field by field. */

/** Four values keyed like the proxy annotations. */
export type Four<T = string> = { cpu: T; cpuLimit: T; memory: T; memoryLimit: T };
/** The app's effective resources as the record shows them (null: some container sets no limit). */
export type AppFour = { cpu: string; cpuLimit: string | null; memory: string; memoryLimit: string | null };

const KEY_WORDS = {
  cpu: ['cpu', 'request', 'sidecar.istio.io/proxyCPU'],
  cpuLimit: ['cpu', 'limit', 'sidecar.istio.io/proxyCPULimit'],
  memory: ['memory', 'request', 'sidecar.istio.io/proxyMemory'],
  memoryLimit: ['memory', 'limit', 'sidecar.istio.io/proxyMemoryLimit'],
} as const;

/** The record's words for a rule of sizing.ts, written out here as the test's own statement of them. */
function sourceOf(key: keyof Four, rule: string, app: AppFour, ratios: Four<number>, factors: { cpu: number; memory: number }): string {
  const [resource, part, annotation] = KEY_WORDS[key];
  if (rule.startsWith('profile:')) return `profile ${rule.slice(8)}`;
  const words: Record<string, string> = {
    ratio: `${Number((ratios[key] * 100).toFixed(4))}% of the app's ${resource} ${part} ${app[key] ?? 'none'}`,
    base: `the app requests no ${resource}: mutation.sidecar.base.${resource}`,
    factor: `${factors[resource]}x the ${resource} request`,
    floor: `raised to the floor mutation.sidecar.floors.${key}`,
    ceiling: `lowered to the ceiling mutation.sidecar.ceilings.${key}`,
    range: 'kept within the bounds of rule pod-proxy-resources-range',
    user: `your annotation ${annotation}`,
    observed: `observed ${resource} usage`,
    request: `raised to the ${resource} request (a limit is never below its request)`,
    limit: `lowered to your ${resource} limit (a request is never above its limit)`,
  };
  return words[rule] ?? `unknown rule ${rule}`;
}

/** The expected `meshguard.io/sidecar-sizing` value as an object, written out field by field. */
export function sizingRecordObject(
  app: AppFour,
  values: Four,
  rules: Four,
  profile: string | null = null,
  ratios: Four<number> = { cpu: 0.1, cpuLimit: 0.25, memory: 0.1, memoryLimit: 0.25 },
  factors = { cpu: 5, memory: 2 },
): Record<string, unknown> {
  const entry = (key: keyof Four): Record<string, string> => ({
    value: values[key], setBy: rules[key] === 'user' ? 'you' : 'meshguard', source: sourceOf(key, rules[key], app, ratios, factors),
  });
  return {
    cpu: entry('cpu'), cpuLimit: entry('cpuLimit'), memory: entry('memory'), memoryLimit: entry('memoryLimit'),
    app: { cpuRequest: app.cpu, cpuLimit: app.cpuLimit ?? 'none', memoryRequest: app.memory, memoryLimit: app.memoryLimit ?? 'none' },
    ...(profile !== null ? { profile } : {}),
  };
}

/** The expected `meshguard.io/sidecar-sizing` value, serialised as the mutator writes it. */
export function sizingRecord(...args: Parameters<typeof sizingRecordObject>): string {
  return JSON.stringify(sizingRecordObject(...args));
}

