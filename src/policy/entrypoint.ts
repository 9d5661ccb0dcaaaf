/** The entrypoint every meshguard bundle exposes (a module of its own: the engine and its workers need only this of the build). */
export const ENTRYPOINT = 'meshguard/main/violations';
