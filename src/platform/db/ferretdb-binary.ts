import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { TOOLS_BIN_DIR } from '../paths';

const execFileAsync = promisify(execFile);

export const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';
export const FERRETDB_VERSION = 'v1.24.2';
export const DEFAULT_FERRETDB_BIN = path.join(TOOLS_BIN_DIR, 'ferretdb');
/**
 * Names our build in `ferretdb --version` ("package: …"). Bumped whenever FERRETDB_PATCHES change, so a binary built
 * by an earlier version of this file is rebuilt rather than used.
 */
export const FERRETDB_BUILD = 'agora-embedded-3';

/**
 * Our one source change to FerretDB v1.24.2 (SQLite backend), applied as exact text replacements so that a changed
 * upstream file fails the build loudly instead of building something else:
 *
 * 1. `IDColumn` is written `->'$._id'`, but the `_id` index is created on `->"_id"`. SQLite uses an expression index
 *    only for the expression as written, so every `_id` lookup, update and delete scanned the table. We write it as
 *    the index does.
 * 2. Only a filter that is exactly `{_id: <string or ObjectId>}` was pushed down to SQL. FerretDB's handler filters
 *    every document the backend returns again with the whole filter, so pushing down the `_id` equality of a larger
 *    filter (`{_id, revision}`, a compare-and-swap) is safe and turns a collection scan into one index lookup.
 * 3. FerretDB answered every request, even one sent with the `moreToCome` flag (an unacknowledged, `w: 0` write),
 *    for which the client reads no reply. That reply stayed in the socket and was read as the answer to the
 *    connection's next command, shifting every later reply on that connection by one (wrong documents for the wrong
 *    query). A request with `moreToCome` now gets no reply, as the wire protocol specifies.
 */
export const FERRETDB_PATCHES: { file: string; from: string; to: string; count: number }[] = [
  {
    file: 'internal/backends/sqlite/metadata/metadata.go',
    from: `IDColumn = DefaultColumn + "->'$._id'"`,
    to: 'IDColumn = DefaultColumn + `->"_id"`',
    count: 1,
  },
  {
    file: 'internal/backends/sqlite/collection.go',
    from: `if params.Filter.Len() == 1 {\n\t\tv, _ := params.Filter.Get("_id")`,
    to: `if params.Filter.Len() > 0 && params.Filter.Has("_id") {\n\t\tv, _ := params.Filter.Get("_id")`,
    count: 2, // Query and Explain
  },
  {
    file: 'internal/clientconn/conn.go',
    from: `\t\tif resHeader == nil || resBody == nil {\n\t\t\tpanic("no response to send to client")`,
    to:
      `\t\tif msg, ok := reqBody.(*wire.OpMsg); ok && msg.Flags.FlagSet(wire.OpMsgMoreToCome) && !resCloseConn {\n` +
      `\t\t\tcontinue // the client reads no reply to this request\n\t\t}\n\n` +
      `\t\tif resHeader == nil || resBody == nil {\n\t\t\tpanic("no response to send to client")`,
    count: 1,
  },
];

/** Applies FERRETDB_PATCHES to a copy of the module source; throws if any text is not found as expected. */
export async function patchFerretDBSource(src: string): Promise<void> {
  for (const patch of FERRETDB_PATCHES) {
    const file = path.join(src, patch.file);
    const text = await fs.promises.readFile(file, 'utf8');
    const found = text.split(patch.from).length - 1;
    if (found !== patch.count)
      throw new Error(`FerretDB patch: expected ${patch.count} match(es) in ${patch.file}, found ${found}`);
    await fs.promises.writeFile(file, text.split(patch.from).join(patch.to));
  }
}

/** Go is needed only to build the embedded database once; its absence is reported in these words. */
export class MissingGoError extends Error {
  constructor() {
    super(
      [
        'The embedded database (FerretDB ' + FERRETDB_VERSION + ') is not built yet and Go is not installed.',
        'Either install Go 1.24 or newer (so that `go` is on the PATH) and start again: it is built once into .tools/bin,',
        'or set MONGODB_URI to a running MongoDB server, e.g. MONGODB_URI=mongodb://localhost:27017/agora',
      ].join('\n'),
    );
    this.name = 'MissingGoError';
  }
}

async function installedVersion(binary: string): Promise<{ version?: string; build?: string } | undefined> {
  try {
    const { stdout } = await execFileAsync(binary, ['--version'], { timeout: 10_000 });
    return { version: /^version:\s*(\S+)/m.exec(stdout)?.[1], build: /^package:\s*(\S+)/m.exec(stdout)?.[1] };
  } catch {
    return undefined;
  }
}

function isOurBuild(installed: { version?: string; build?: string } | undefined): boolean {
  return installed?.version === FERRETDB_VERSION && installed.build === FERRETDB_BUILD;
}

async function hasGo(env: NodeJS.ProcessEnv | undefined): Promise<boolean> {
  try {
    await execFileAsync('go', ['version'], { timeout: 10_000, ...(env ? { env } : {}) });
    return true;
  } catch {
    return false;
  }
}

function run(cmd: string, args: string[], cwd: string, progress: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const collect = (chunk: Buffer) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-4000);
      for (const line of text.split('\n')) if (line.trim()) progress(line.trim());
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} failed (exit ${code}):\n${tail}`)),
    );
  });
}

/**
 * Builds FerretDB from the Go module proxy. `go install module@version` produces a binary that refuses to start
 * (the module's build/version/version.txt is generated by its release tooling and is not in the published module),
 * so we fetch the module source, add that one file with the release's version, and build its own main package.
 * The binary is written next to its final name and renamed, so two parallel first starts cannot see half a file.
 */
async function build(binary: string, progress: (line: string) => void): Promise<void> {
  progress(
    `Building FerretDB ${FERRETDB_VERSION} into ${path.relative(process.cwd(), binary) || binary} (once; about a minute)…`,
  );
  const { stdout } = await execFileAsync(
    'go',
    ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`],
    {
      maxBuffer: 10 * 1024 * 1024,
      timeout: 600_000,
    },
  );
  const moduleDir = (JSON.parse(stdout) as { Dir: string }).Dir;
  const work = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'agora-ferretdb-src-'));
  try {
    const src = path.join(work, 'src');
    await fs.promises.cp(moduleDir, src, { recursive: true });
    // The module cache is read-only; the copy must be writable for version.txt and Go's build.
    await run('chmod', ['-R', 'u+w', src], work, () => undefined);
    await fs.promises.writeFile(path.join(src, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
    await fs.promises.writeFile(path.join(src, 'build', 'version', 'package.txt'), `${FERRETDB_BUILD}\n`);
    await patchFerretDBSource(src);
    await fs.promises.mkdir(path.dirname(binary), { recursive: true });
    const partial = `${binary}.${process.pid}.partial`;
    progress('Compiling FerretDB (go build)…');
    await run('go', ['build', '-trimpath', '-o', partial, './cmd/ferretdb'], src, progress);
    await fs.promises.rename(partial, binary);
  } finally {
    await fs.promises.rm(work, { recursive: true, force: true });
  }
  progress(`FerretDB ${FERRETDB_VERSION} is ready.`);
}

/**
 * Returns the path of a FerretDB v1.24.2 binary, building it first if needed.
 * `explicitBinary` (FERRETDB_BIN) is used as it is, without building.
 */
export async function ensureFerretDB(
  explicitBinary: string | undefined,
  progress: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  /** For tests: where the built binary lives, and the environment in which Go is looked for. */
  options: { binary?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  if (explicitBinary) {
    if (!(await installedVersion(explicitBinary)))
      throw new Error(`FERRETDB_BIN=${explicitBinary} does not run`);
    return explicitBinary;
  }
  const binary = options.binary ?? DEFAULT_FERRETDB_BIN;
  if (isOurBuild(await installedVersion(binary))) return binary;
  if (!(await hasGo(options.env))) throw new MissingGoError();
  await build(binary, progress);
  const installed = await installedVersion(binary);
  if (!isOurBuild(installed))
    throw new Error(
      `The FerretDB build reports version ${installed?.version ?? 'none'}, package ${installed?.build ?? 'none'}`,
    );
  return binary;
}
