/**
 * FerretDB v1 (SQLite) does not make a single-document read-modify-write atomic: measured here, 100 parallel
 * `$inc` upserts on one document left the counter at 7, and 20 parallel conditional `findOneAndUpdate`s had 10
 * winners. Inserts under a unique index are exact (one of 50 parallel inserts wins).
 *
 * The embedded database serves exactly one app instance, so serialising such operations per key inside this process
 * makes them exact there. On MongoDB (`atomic: true`) those operations are atomic already and run unserialised,
 * so several instances stay correct.
 */
export interface WriteSerializer {
  /** Runs `operation` after every earlier operation with the same key has finished. */
  run<T>(key: string, operation: () => Promise<T>): Promise<T>;
}

export function createWriteSerializer(databaseIsAtomic: boolean): WriteSerializer {
  if (databaseIsAtomic) return { run: (_key, operation) => operation() };
  const tails = new Map<string, Promise<unknown>>();
  return {
    run<T>(key: string, operation: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      const result = previous.then(operation, operation);
      const tail = result.catch(() => undefined);
      tails.set(key, tail);
      // Forget the key once nothing else is queued behind this operation.
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
  };
}
