import fs from 'node:fs';
import type { EmbeddedFerretDB } from '../src/platform/db/embedded-ferretdb';

export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as Record<string, unknown>).__agoraTestDb as
    { engine: EmbeddedFerretDB; dataDir: string } | undefined;
  if (!state) return;
  await state.engine.stop();
  fs.rmSync(state.dataDir, { recursive: true, force: true });
}
