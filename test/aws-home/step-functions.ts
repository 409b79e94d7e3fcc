/**
 * Step Functions for the harness: the synthesized definition executed by an Amazon States Language
 * interpreter (aws-local-stepfunctions), so retries, catches, paths and the failure branch are the
 * real definition's. Each Task state is served by what its Resource names: a Lambda function (its
 * bundle, see lambda.ts), the Athena .sync integration (the stand-in), SNS Publish. Every one of
 * them is authorised against the state machine's role first, as the service would.
 */
import { StateMachine } from 'aws-local-stepfunctions';
import { ACCOUNT, REGION, type ResolvedTemplate, TemplateError } from './cfn.ts';
import type { Authorize, Principal } from './iam.ts';
import type { LambdaService } from './lambda.ts';
import type { Sns } from './notifications.ts';

// aws-local-stepfunctions 3 targets Node 22; on Node 20 its only gap is Promise.withResolvers.
if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') {
  Object.assign(Promise, {
    withResolvers<T>() {
      let resolve!: (v: T) => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

/** What a task state's service needs from the harness. */
export interface TaskServices {
  lambda: LambdaService;
  sns: Sns;
  athenaRunToCompletion(principal: Principal, input: Record<string, unknown>): Promise<unknown>;
  authorize: Authorize;
}

export interface ExecutionResult {
  name: string;
  status: 'SUCCEEDED' | 'FAILED';
  output?: unknown;
  error?: string;
  cause?: string;
  /** Task states entered, in order (with retries). */
  tasks: string[];
}

interface TaskState {
  Type: 'Task';
  Resource: string;
  Parameters?: Record<string, unknown>;
  TimeoutSeconds?: number;
  Next?: string;
  End?: boolean;
}

/** Step Functions' payload quota: a state's input or output of at most 256 KiB. */
const PAYLOAD_LIMIT = 262_144;

const failure = (name: string, cause: string): Error => {
  const e = new Error(cause);
  e.name = name;
  return e;
};

export class StepFunctions {
  readonly arn: string;
  readonly role: string;
  private readonly definition: { States: Record<string, { Type: string } & Partial<TaskState>> };
  private executions = 0;

  constructor(
    t: ResolvedTemplate,
    logicalId: string,
    roleOf: (id: string) => string,
    private readonly services: TaskServices,
  ) {
    const p = t.resources[logicalId]!.Properties as { DefinitionString: string };
    this.definition = JSON.parse(p.DefinitionString);
    this.arn = t.ref(logicalId);
    this.role = roleOf(logicalId);
    for (const state of Object.values(this.definition.States)) {
      // A Task without TimeoutSeconds runs until the execution's own timeout in Step Functions; the
      // interpreter's default is 60 s, which the service does not have. 2,000,000 s is the longest a
      // Node timer holds (2^31 ms).
      if (state.Type === 'Task' && state.TimeoutSeconds === undefined) state.TimeoutSeconds = 2_000_000;
    }
  }

  private handler(name: string, state: TaskState, tasks: string[]): (input: unknown) => Promise<unknown> {
    const principal: Principal = { role: this.role };
    const { lambda, sns, authorize } = this.services;
    return async (input) => {
      tasks.push(name);
      if (JSON.stringify(input ?? null).length > PAYLOAD_LIMIT)
        throw failure('States.DataLimitExceeded', `the input of ${name} exceeds 256 KiB`);
      const out = await this.dispatch(state, input, principal, lambda, sns, authorize);
      if (JSON.stringify(out ?? null).length > PAYLOAD_LIMIT)
        throw failure('States.DataLimitExceeded', `the result of ${name} exceeds 256 KiB`);
      return out;
    };
  }

  private async dispatch(
    state: TaskState,
    input: unknown,
    principal: Principal,
    lambda: LambdaService,
    sns: Sns,
    authorize: Authorize,
  ): Promise<unknown> {
    const resource = state.Resource;
    let functionArn: string | undefined;
    let payload = input;
    if (/^arn:aws:lambda:[^:]+:\d+:function:/.test(resource)) functionArn = resource;
    else if (resource === 'arn:aws:states:::lambda:invoke') {
      const p = input as { FunctionName: string; Payload?: unknown };
      functionArn = p.FunctionName;
      payload = p.Payload;
    }
    if (functionArn) {
      const fn = lambda.spec(functionArn);
      try {
        await authorize(principal, 'lambda:InvokeFunction', fn.arn);
      } catch (err) {
        throw failure('Lambda.AWSLambdaException', (err as Error).message);
      }
      const r = await lambda.invoke(fn.arn, payload);
      if (!r.ok)
        throw failure(
          r.error.errorType,
          JSON.stringify({
            errorMessage: r.error.errorMessage,
            errorType: r.error.errorType,
            trace: r.error.trace,
          }),
        );
      return resource === 'arn:aws:states:::lambda:invoke'
        ? { Payload: r.payload, StatusCode: 200 }
        : r.payload;
    }
    if (resource === 'arn:aws:states:::athena:startQueryExecution.sync') {
      try {
        return await this.services.athenaRunToCompletion(principal, input as Record<string, unknown>);
      } catch (err) {
        const e = err as Error;
        throw failure(
          e.name === 'AccessDenied' ? 'Athena.AccessDeniedException' : 'States.TaskFailed',
          e.message,
        );
      }
    }
    if (resource === 'arn:aws:states:::sns:publish') {
      const p = input as { TopicArn?: string; Subject?: string; Message?: unknown };
      try {
        const id = await sns.publish(principal, {
          ...(p.TopicArn ? { TopicArn: p.TopicArn } : {}),
          ...(p.Subject !== undefined ? { Subject: p.Subject } : {}),
          // The integration sends a JSON object message as its JSON text.
          Message: typeof p.Message === 'string' ? p.Message : JSON.stringify(p.Message),
        });
        return { MessageId: id };
      } catch (err) {
        const e = err as Error;
        throw failure(
          e.name === 'AccessDenied' ? 'SNS.AuthorizationErrorException' : `SNS.${e.name}`,
          e.message,
        );
      }
    }
    throw new TemplateError(`task resource ${resource} is not served by the harness`);
  }

  /** StartExecution, as the scheduler (or an operator) does, and wait for the end. */
  async run(input: unknown, name = `run-${++this.executions}`): Promise<ExecutionResult> {
    const tasks: string[] = [];
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    // Task states at any depth: a Parallel state's branches are state machines of their own (state
    // names are unique across the whole definition, as Step Functions requires).
    const wire = (states: Record<string, { Type: string }>) => {
      for (const [stateName, state] of Object.entries(states)) {
        if (state.Type === 'Task') handlers[stateName] = this.handler(stateName, state as TaskState, tasks);
        else if (state.Type === 'Parallel') {
          for (const b of (state as unknown as { Branches: { States: typeof states }[] }).Branches)
            wire(b.States);
        } else if (state.Type === 'Map')
          throw new TemplateError(`state ${stateName}: Map states are not wired in the harness yet`);
      }
    };
    wire(this.definition.States);
    const machine = new StateMachine(this.definition as never, {
      validationOptions: { checkArn: true, checkPaths: true },
    });
    const executionArn = `arn:aws:states:${REGION}:${ACCOUNT}:execution:${this.arn.split(':').pop()}:${name}`;
    const execution = machine.run(input as never, {
      overrides: {
        taskResourceLocalHandlers: handlers as never,
        // Retry intervals are real seconds in AWS; the harness keeps the attempts, not the waiting.
        retryIntervalOverrides: Object.fromEntries(Object.keys(handlers).map((s) => [s, 0])),
      },
      context: {
        Execution: {
          Id: executionArn,
          Name: name,
          Input: input,
          StartTime: new Date().toISOString(),
          RoleArn: `arn:aws:iam::${ACCOUNT}:role/${this.role}`,
        },
        StateMachine: { Id: this.arn, Name: this.arn.split(':').pop() },
      } as never,
    });
    try {
      const output = await execution.result;
      return { name, status: 'SUCCEEDED', output, tasks };
    } catch (err) {
      // The interpreter wraps the failing state's error (a Fail state's Error and Cause) as `cause`.
      const inner = ((err as Error).cause as Error | undefined) ?? (err as Error);
      return { name, status: 'FAILED', error: inner.name, cause: inner.message, tasks };
    }
  }
}
