/**
 * How the PostgreSQL store writes SQL: values inlined as escaped literals so a batch's statements
 * go as one simple query (one round trip; the extended protocol takes one statement per message).
 */
import pg from 'pg';

export function lit(value: string | null): string {
  return value === null ? 'NULL' : pg.escapeLiteral(value);
}

export function int(n: number): string {
  if (!Number.isSafeInteger(n)) throw new Error(`not a safe integer: ${n}`);
  return String(n);
}

export function textArray(values: readonly (string | null)[]): string {
  return values.length === 0 ? `'{}'::text[]` : `ARRAY[${values.map(lit).join(',')}]::text[]`;
}

export function intArray(values: readonly number[]): string {
  return values.length === 0 ? `'{}'::bigint[]` : `ARRAY[${values.map(int).join(',')}]::bigint[]`;
}

/** Statements sent as one simple query on `c`; the rows of each, in order. */
export async function multiOn(c: pg.PoolClient, statements: readonly string[]): Promise<Record<string, unknown>[][]> {
  const r = (await c.query(statements.join(';\n'))) as unknown as pg.QueryResult | pg.QueryResult[];
  return (Array.isArray(r) ? r : [r]).map((x) => x.rows as Record<string, unknown>[]);
}

/** `work` in a transaction on a client of its own: committed when it resolves, rolled back when it throws. */
export async function inTransaction<T>(pool: pg.Pool, work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const out = await work(c);
    await c.query('COMMIT');
    return out;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}
