import path from 'node:path';
import { packageRoot } from '../../src/policy/opa-binary.js';

/** The repository root (tests run from dist/, paths resolve from the sources' layout). */
export const repoRoot = packageRoot;

/** ../shared/data beside the project root: the Istio corpus and CRDs tests read in place. */
export const sharedData = path.join(packageRoot, '..', 'shared', 'data');

/** The built-in bundle `npm run build` makes. */
export const builtinBundle = path.join(packageRoot, 'dist', 'policies', 'bundle.tar.gz');

/** The compiled CLI. */
export const cliPath = path.join(packageRoot, 'dist', 'src', 'cli', 'index.js');
