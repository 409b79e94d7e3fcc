/**
 * What the stand-in keeps of a query from StartQueryExecution on: the request, the settled state and
 * reason, the figures GetQueryExecution reports, and where the results were written.
 */
import type { ColumnInfo, Principal, QueryState } from './api.ts';
import type { WorkGroup } from './catalog.ts';
import type { StatementKind } from './statements.ts';

export interface QueryRecord {
  id: string;
  principal: Principal;
  query: string;
  statement: StatementKind;
  workGroup: WorkGroup;
  database?: string;
  catalog: string;
  outputLocation: string;
  state: QueryState;
  reason?: string;
  submitted: Date;
  started?: number;
  completed?: Date;
  scanned: number;
  engineMs: number;
  manifestLocation?: string;
  resultCsv?: string;
  columns?: ColumnInfo[];
  done: Promise<void>;
}
