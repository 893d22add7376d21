/**
 * The baseline the API is compared with: Express and the MongoDB driver, one POST handler doing one `insertOne` of
 * a document shaped like a response, into the same FerretDB (its own database) through one connection, as the app
 * uses. Env: BENCH_MONGODB_URI (with the database name), PORT. Exits when its stdin closes (see processes.ts).
 */
import express from 'express';
import { MongoClient } from 'mongodb';

process.stdin.on('end', () => process.exit(1));
process.stdin.resume();

async function main(): Promise<void> {
  const uri = process.env.BENCH_MONGODB_URI;
  const port = Number(process.env.PORT);
  if (!uri || !port) throw new Error('BENCH_MONGODB_URI and PORT are required');
  const client = new MongoClient(uri, { maxPoolSize: 1, minPoolSize: 0, maxConnecting: 1 });
  await client.connect();
  const responses = client.db().collection('responses');
  const app = express();
  app.use(express.json({ limit: '100kb' }));
  app.get('/readyz', async (_req, res) => {
    await client.db().command({ ping: 1 });
    res.json({ status: 'ready' });
  });
  app.post('/responses', async (req, res) => {
    const body = req.body as { answers?: unknown; sector?: unknown; region?: unknown };
    const doc = {
      surveyId: 'bare',
      idempotencyKey: req.get('idempotency-key') ?? null,
      status: 'submitted',
      answers: body.answers ?? {},
      otherText: {},
      sector: body.sector ?? null,
      region: body.region ?? null,
      locale: 'en',
      channel: 'open',
      submittedAt: new Date(),
    };
    const { insertedId } = await responses.insertOne(doc);
    res.status(201).json({ id: insertedId, status: 'submitted', submittedAt: doc.submittedAt });
  });
  const server = app.listen(port, '127.0.0.1');
  process.on('SIGTERM', () => {
    server.close();
    void client.close().then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bare server: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
