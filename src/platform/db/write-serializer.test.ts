import { createWriteSerializer } from './write-serializer';

describe('write serializer', () => {
  it('when operations share a key, then they run one after another, even when one fails', async () => {
    const serializer = createWriteSerializer(false);
    const order: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const op =
      (name: string, fail = false) =>
      async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setImmediate(r));
        order.push(name);
        running--;
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([
      serializer.run('k', op('a')),
      serializer.run('k', op('b', true)),
      serializer.run('k', op('c')),
    ]);
    expect(order).toEqual(['a', 'b', 'c']);
    expect(maxRunning).toBe(1);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('when keys differ or the database is atomic, then operations run concurrently', async () => {
    for (const [atomic, keys] of [
      [false, ['x', 'y']],
      [true, ['k', 'k']],
    ] as const) {
      const serializer = createWriteSerializer(atomic);
      let running = 0;
      let maxRunning = 0;
      const op = async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setImmediate(r));
        running--;
      };
      await Promise.all(keys.map((key) => serializer.run(key, op)));
      expect(maxRunning).toBe(2);
    }
  });
});
