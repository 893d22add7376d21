/** `npm run db:build`: builds the embedded FerretDB into .tools/bin if it is not there yet (CI runs this first). */
import { ensureFerretDB } from '../src/platform/db/ferretdb-binary';

const started = Date.now();
ensureFerretDB(process.env.FERRETDB_BIN || undefined)
  .then((binary) => {
    process.stdout.write(`FerretDB ready at ${binary} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  })
  .catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
