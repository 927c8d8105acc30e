import type { TestProject } from 'vitest/node';
import { startEmbedded, type EmbeddedDatabase } from '../src/db/embedded.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dbUrl: string;
    engine: 'pglite' | 'postgresql';
  }
}

let embedded: EmbeddedDatabase | undefined;

export async function setup(project: TestProject) {
  const url = process.env.TEST_ENGINE === 'postgresql' ? process.env.TEST_DATABASE_URL : undefined;
  if (url) {
    project.provide('dbUrl', url);
    project.provide('engine', 'postgresql');
    return;
  }
  embedded = await startEmbedded('memory://');
  project.provide('dbUrl', embedded.url);
  project.provide('engine', 'pglite');
}

export async function teardown() {
  await embedded?.stop();
}
