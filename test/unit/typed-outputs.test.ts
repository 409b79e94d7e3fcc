/**
 * Table specs typed at compile time: a table's row and column types derive from its spec (RowOf,
 * ColumnsOf), and a stage's returned tables are typed from its declared writes. The
 * `@ts-expect-error` lines are the proof: `tsc --noEmit` (npm test) fails if any of them compiles,
 * that is, if a wrong column name or type, an undeclared table or a missing one is no longer a
 * compile error. The runtime checks show the types say what the encoder and the write boundary take.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { encodeTable } from '../../shared/lake/parquet.ts';
import { decodeParquet } from '../../shared/lake/parquet-read.ts';
import { silentLog } from '../../shared/pipeline/log.ts';
import { type ColumnsOf, col, defineTable, type RowOf, required } from '../../shared/schemas/table.ts';
import { aipl, grow } from '../../shared/schemas/tables.ts';
import { arrowColumns } from '../../shared/stages/arrow-rows.ts';
import { checkOutput } from '../../shared/stages/output-check.ts';
import { runStage } from '../../shared/stages/run-stages.ts';
import { defineStage, type Stage } from '../../shared/stages/stage.ts';
import { tempLake, testConfig } from '../helpers.ts';

const everyType = defineTable({
  name: 'every_type',
  zone: 'models',
  doc: 'One column of each type.',
  columns: [
    required('id', 'string', 'An id.'),
    required('kind', 'string', 'A closed vocabulary.', ['a', 'b']),
    col('n', 'int32', 'A nullable whole number.'),
    required('x', 'double', 'A number.'),
    required('flag', 'boolean', 'A flag.'),
    required('day', 'date', 'A day.'),
    col('at', 'timestamp', 'A moment.'),
  ],
  partitionKeys: [],
});

describe('a table spec’s types', () => {
  it('give each column the type of its values: vocabulary literals, dates as YYYY-MM-DD, timestamps as epoch milliseconds, null where nullable', () => {
    expectTypeOf<RowOf<typeof everyType>>().toEqualTypeOf<{
      id: string;
      kind: 'a' | 'b';
      n: number | null;
      x: number;
      flag: boolean;
      day: string;
      at: number | null;
    }>();
    expectTypeOf<RowOf<typeof aipl>>().toEqualTypeOf<{
      customer_id: string;
      stage: 'aware' | 'interested' | 'purchased' | 'loyal';
    }>();
    expectTypeOf(grow.columns[2].nullable).toEqualTypeOf<true>();
    expectTypeOf(grow.columns[0].nullable).toEqualTypeOf<false>();
    expectTypeOf<Float64Array>().toExtend<ColumnsOf<typeof everyType>['x']>();
    expectTypeOf<Int32Array>().toExtend<ColumnsOf<typeof everyType>['n']>();
    expectTypeOf<string[]>().not.toExtend<ColumnsOf<typeof everyType>['kind']>();
  });

  it('are what the write boundary accepts and the Parquet encoder writes', async () => {
    const at = Date.UTC(2026, 10, 23, 9, 30);
    const columns: ColumnsOf<typeof everyType> = {
      id: ['c1'],
      kind: ['b'],
      n: Int32Array.of(7),
      x: Float64Array.of(1.5),
      flag: [true],
      day: ['2026-11-23'],
      at: [at],
    };
    expect(() => checkOutput(everyType, columns)).not.toThrow();
    const read = arrowColumns(decodeParquet(await encodeTable(everyType, columns as never)), ['day', 'at']);
    expect(read.day).toEqual(['2026-11-23']);
    expect(Number(read.at[0])).toBe(at);
  });
});

describe('a stage’s outputs', () => {
  const declaration = {
    doc: '',
    queries: [],
    reads: [],
    settings: [],
    memoryMb: 512,
    timeoutSeconds: 60,
  } as const;

  it('are exactly its declared tables, each exactly its columns, or it does not compile', () => {
    const declared = defineStage({
      ...declaration,
      name: 'declared',
      writes: [aipl],
      run: async () => ({ tables: { aipl: { customer_id: ['c'], stage: ['loyal'] } }, summary: null }),
    });
    expectTypeOf(declared.writes).toEqualTypeOf<readonly [typeof aipl]>();

    defineStage({
      ...declaration,
      name: 'undeclared_table',
      writes: [aipl],
      // @ts-expect-error grow is not declared
      run: async () => ({
        tables: {
          aipl: { customer_id: ['c'], stage: ['loyal'] },
          grow: { gain: [0], retain: [0], boost: [null], widen: [0] },
        },
        summary: null,
      }),
    });
    defineStage({
      ...declaration,
      name: 'missing_table',
      writes: [aipl, grow],
      // @ts-expect-error grow is declared but not returned
      run: async () => ({ tables: { aipl: { customer_id: ['c'], stage: ['loyal'] } }, summary: null }),
    });
    defineStage({
      ...declaration,
      name: 'misspelled_column',
      writes: [aipl],
      // @ts-expect-error no column "stge"; column "stage" missing
      run: async () => ({ tables: { aipl: { customer_id: ['c'], stge: ['loyal'] } }, summary: null }),
    });
    defineStage({
      ...declaration,
      name: 'undeclared_column',
      writes: [aipl],
      // @ts-expect-error aipl has no column "score"
      run: async () => ({
        tables: { aipl: { customer_id: ['c'], stage: ['loyal'], score: [1] } },
        summary: null,
      }),
    });
    defineStage({
      ...declaration,
      name: 'outside_the_vocabulary',
      writes: [aipl],
      // @ts-expect-error "asleep" is no AIPL stage
      run: async () => ({ tables: { aipl: { customer_id: ['c'], stage: ['asleep'] } }, summary: null }),
    });
    defineStage({
      ...declaration,
      name: 'wrong_type',
      writes: [grow],
      // @ts-expect-error gain is a number
      run: async () => ({
        tables: { grow: { gain: ['0.5'], retain: [0], boost: [null], widen: [0] } },
        summary: null,
      }),
    });
    defineStage({
      ...declaration,
      name: 'null_in_a_required_column',
      writes: [grow],
      // @ts-expect-error gain is required (boost is nullable)
      run: async () => ({
        tables: { grow: { gain: [null], retain: [0], boost: [null], widen: [0] } },
        summary: null,
      }),
    });
  });

  it('are written by name; a stage built without defineStage is checked at run time', async () => {
    const lake = await tempLake();
    const env = {
      lake,
      config: testConfig(),
      log: silentLog,
      engine: { rows: () => Promise.reject(new Error('no queries')) },
      asOf: '2026-11-23',
      bounds: () => undefined,
    };
    const declared = defineStage({
      ...declaration,
      name: 'declared',
      writes: [aipl],
      run: async () => ({ tables: { aipl: { customer_id: ['c'], stage: ['loyal'] } }, summary: null }),
    });
    const { outputs } = await runStage(declared, env);
    expect(outputs).toEqual(['models/aipl/dt=2026-11-23/part-0000.parquet']);

    const wrong = {
      ...declared,
      run: async () => ({ tables: { grow: {} }, summary: null }),
    } as unknown as Stage;
    await expect(runStage(wrong, env)).rejects.toThrow('stage declared returned grow; it declares aipl');
  });
});
