/**
 * The request side of the contract, independent of transport: look the name up, validate the payload
 * against its schema, run the handler, and answer with an envelope. The Electron IPC binding and the
 * host's WebSocket binding both call `dispatch`, so validation and error mapping exist once.
 */
import type { z } from 'zod';
import { requests, type Envelope, type RequestName, type RequestInput, type RequestOutput } from '../contract.js';
import { LanlineError } from './errors.js';
import type { Log } from './log.js';

export type Handlers = {
  [K in RequestName]: (input: z.output<(typeof requests)[K]['input']>) => Promise<RequestOutput<K>> | RequestOutput<K>;
};

/** `displayName: must not be empty; lanPort: expected number, received string` */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length ? issue.path.join('.') : 'payload';
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.hasOwn(requests, name);
}

export type Dispatch = (name: unknown, payload: unknown) => Promise<Envelope<unknown>>;

export function createDispatch(handlers: Handlers, log: Log): Dispatch {
  return async (name, payload) => {
    if (!isRequestName(name)) {
      return fail('unknown-request', `There is no request named ${JSON.stringify(String(name)).slice(0, 80)}.`);
    }
    const parsed = requests[name].input.safeParse(payload);
    if (!parsed.success) {
      const message = `Invalid ${name} request: ${describeIssues(parsed.error)}`;
      log.warn(message);
      return fail('invalid', message);
    }
    try {
      const handler = handlers[name] as (input: unknown) => unknown;
      const value = await handler(parsed.data);
      return { ok: true, value };
    } catch (error) {
      if (error instanceof LanlineError) return fail(error.code, error.message);
      log.error(`request ${name} failed`, error);
      return fail('internal', `Lanline could not complete ${name}; the details are in the log.`);
    }
  };
}

function fail(code: LanlineError['code'], message: string): Envelope<never> {
  return { ok: false, error: { code, message } };
}

// Re-exported so adapters type their replies without reaching into the contract twice.
export type { RequestInput, RequestOutput };
