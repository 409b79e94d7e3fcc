/**
 * Lambda, for the harness: each function of the template runs its `cdk synth` bundle in worker
 * threads ("execution environments") that carry exactly the template's environment variables, plus
 * what the Lambda runtime itself sets (region, credentials of the execution role, function name).
 * An environment runs one invocation at a time; concurrent invocations start more environments
 * (cold starts). A function that outlives its timeout is stopped and reports `Sandbox.Timedout`;
 * the heap is capped at the function's memory size.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { REGION, type ResolvedTemplate, TemplateError } from './cfn.ts';

export interface FunctionSpec {
  logicalId: string;
  name: string;
  arn: string;
  /** The execution role's logical id. */
  role: string;
  entry: string;
  exportName: string;
  environment: Record<string, string>;
  memoryMb: number;
  timeoutSeconds: number;
}

export interface LambdaError {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

export type InvokeResult = { ok: true; payload: unknown } | { ok: false; error: LambdaError };

/** The functions of the template that have a bundle (CDK's own deploy-time handlers have none). */
export function functionSpecs(t: ResolvedTemplate, roleOf: (logicalId: string) => string): FunctionSpec[] {
  const out: FunctionSpec[] = [];
  for (const id of t.ofType('AWS::Lambda::Function')) {
    const r = t.resources[id]!;
    const asset = r.Metadata?.['aws:asset:path'];
    if (typeof asset !== 'string') continue;
    const p = r.Properties as {
      Handler: string;
      MemorySize?: number;
      Timeout?: number;
      Environment?: { Variables?: Record<string, string> };
    };
    const [file, exportName] = p.Handler.split('.');
    const dir = join(t.assemblyDir, asset);
    const entry = ['mjs', 'js', 'cjs'].map((ext) => join(dir, `${file}.${ext}`)).find(existsSync);
    if (!entry || !exportName)
      throw new TemplateError(`function ${id}: no bundle for handler ${p.Handler} in ${dir}`);
    out.push({
      logicalId: id,
      name: t.ref(id),
      arn: t.att(id, 'Arn'),
      role: roleOf(id),
      entry,
      exportName,
      environment: p.Environment?.Variables ?? {},
      memoryMb: p.MemorySize ?? 128,
      timeoutSeconds: p.Timeout ?? 3,
    });
  }
  return out;
}

class Environment {
  private busy = false;
  private nextId = 0;
  private readonly pending = new Map<number, (r: InvokeResult) => void>();
  readonly ready: Promise<LambdaError | undefined>;
  dead = false;

  constructor(
    readonly fn: FunctionSpec,
    readonly worker: Worker,
    log: (line: string) => void,
  ) {
    for (const stream of [worker.stdout, worker.stderr]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        for (const line of chunk.split('\n')) if (line.trim()) log(line);
      });
    }
    this.ready = new Promise((resolve) => {
      worker.once('message', (m: { ready?: true; initError?: LambdaError }) => resolve(m.initError));
      worker.once('error', (err) => resolve({ errorType: 'Runtime.ExitError', errorMessage: String(err) }));
    });
    worker.on('message', (m: { id?: number; result?: string; error?: LambdaError }) => {
      if (m.id === undefined) return;
      const done = this.pending.get(m.id);
      this.pending.delete(m.id);
      done?.(m.error ? { ok: false, error: m.error } : { ok: true, payload: JSON.parse(m.result ?? 'null') });
    });
    worker.on('exit', (code) => {
      this.dead = true;
      for (const done of this.pending.values())
        done({ ok: false, error: { errorType: 'Runtime.ExitError', errorMessage: `exited with ${code}` } });
      this.pending.clear();
    });
  }

  get idle(): boolean {
    return !this.busy && !this.dead;
  }

  async invoke(event: unknown, requestId: string): Promise<InvokeResult> {
    this.busy = true;
    try {
      const initError = await this.ready;
      if (initError) {
        this.dead = true;
        return { ok: false, error: initError };
      }
      const id = this.nextId++;
      const timeoutMs = this.fn.timeoutSeconds * 1000;
      const result = new Promise<InvokeResult>((resolve) => this.pending.set(id, resolve));
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<InvokeResult>((resolve) => {
        timer = setTimeout(() => {
          this.dead = true;
          void this.worker.terminate();
          resolve({
            ok: false,
            error: {
              errorType: 'Sandbox.Timedout',
              errorMessage: `Task timed out after ${this.fn.timeoutSeconds.toFixed(2)} seconds`,
            },
          });
        }, timeoutMs);
      });
      this.worker.postMessage({
        id,
        // The event crosses the service boundary as JSON, as Lambda's does.
        event: JSON.parse(JSON.stringify(event)),
        context: {
          functionName: this.fn.name,
          functionVersion: '$LATEST',
          invokedFunctionArn: this.fn.arn,
          memoryLimitInMB: String(this.fn.memoryMb),
          awsRequestId: requestId,
          logGroupName: `/aws/lambda/${this.fn.name}`,
          logStreamName: requestId,
          timeoutMs,
        },
      });
      try {
        return await Promise.race([result, timedOut]);
      } finally {
        clearTimeout(timer);
      }
    } finally {
      this.busy = false;
    }
  }
}

export interface LambdaServiceOptions {
  functions: FunctionSpec[];
  /** Variables the Lambda runtime sets for a function (credentials of its role, region, endpoint). */
  runtimeEnvironment(fn: FunctionSpec): Record<string, string>;
}

export class LambdaService {
  private readonly environments = new Map<string, Environment[]>();
  /** Log lines per function logical id (what CloudWatch Logs would hold). */
  readonly logs = new Map<string, string[]>();
  readonly invocations: { function: string; coldStart: boolean; ok: boolean; errorType?: string }[] = [];
  private requests = 0;

  constructor(private readonly o: LambdaServiceOptions) {}

  spec(nameOrArnOrId: string): FunctionSpec {
    const fn = this.o.functions.find(
      (f) => f.arn === nameOrArnOrId || f.name === nameOrArnOrId || f.logicalId === nameOrArnOrId,
    );
    if (!fn) throw new Error(`ResourceNotFoundException: Function not found: ${nameOrArnOrId}`);
    return fn;
  }

  get functions(): readonly FunctionSpec[] {
    return this.o.functions;
  }

  async invoke(nameOrArn: string, event: unknown): Promise<InvokeResult> {
    const fn = this.spec(nameOrArn);
    const pool = (this.environments.get(fn.logicalId) ?? []).filter((e) => !e.dead);
    this.environments.set(fn.logicalId, pool);
    let env = pool.find((e) => e.idle);
    const coldStart = !env;
    if (!env) {
      env = this.start(fn);
      pool.push(env);
    }
    const result = await env.invoke(event, `req-${++this.requests}`);
    this.invocations.push({
      function: fn.logicalId,
      coldStart,
      ok: result.ok,
      ...(result.ok ? {} : { errorType: result.error.errorType }),
    });
    return result;
  }

  private start(fn: FunctionSpec): Environment {
    const lines = this.logs.get(fn.logicalId) ?? [];
    this.logs.set(fn.logicalId, lines);
    const worker = new Worker(new URL('./lambda-container.mjs', import.meta.url), {
      workerData: { entry: pathToFileURL(fn.entry).href, exportName: fn.exportName },
      env: {
        PATH: process.env.PATH ?? '',
        TZ: 'UTC',
        LANG: 'en_US.UTF-8',
        AWS_REGION: REGION,
        AWS_DEFAULT_REGION: REGION,
        AWS_LAMBDA_FUNCTION_NAME: fn.name,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
        LAMBDA_TASK_ROOT: join(fn.entry, '..'),
        ...this.o.runtimeEnvironment(fn),
        ...fn.environment,
      },
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: fn.memoryMb },
    });
    return new Environment(fn, worker, (line) => lines.push(line));
  }

  async stop(): Promise<void> {
    const all = [...this.environments.values()].flat();
    this.environments.clear();
    await Promise.all(all.map((e) => e.worker.terminate()));
  }
}
