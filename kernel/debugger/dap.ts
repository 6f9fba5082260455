// kernel/debugger/dap.ts
// The Debug Adapter Protocol messages that ride in debug_request / debug_reply / debug_event
// (https://microsoft.github.io/debug-adapter-protocol/specification), only the fields tsgrad uses.
// Builds responses and events; knows nothing about sockets or the inspector.

export interface DapRequest { seq: number; type: "request"; command: string; arguments?: Record<string, unknown> }
export interface DapResponse {
  seq: number; type: "response"; request_seq: number; command: string; success: boolean;
  message?: string; body?: Record<string, unknown>;
}
export interface DapEvent { seq: number; type: "event"; event: string; body?: Record<string, unknown> }

/** A request that cannot be served: becomes success: false with this message (the kernel keeps serving). */
export class DapError extends Error {
  constructor(message: string, readonly body?: Record<string, unknown>) { super(message); this.name = "DapError"; }
}

/** The one thread a notebook has: the main thread, where cells run. */
export const THREAD_ID = 1;

let seq = 0;
export function response(req: DapRequest, body?: Record<string, unknown>): DapResponse {
  return { seq: ++seq, type: "response", request_seq: req.seq, command: req.command, success: true, ...(body ? { body } : {}) };
}
export function failure(req: DapRequest, message: string, body?: Record<string, unknown>): DapResponse {
  return { seq: ++seq, type: "response", request_seq: req.seq, command: req.command, success: false, message, ...(body ? { body } : {}) };
}
export function event(name: string, body?: Record<string, unknown>): DapEvent {
  return { seq: ++seq, type: "event", event: name, ...(body ? { body } : {}) };
}

/** Reads a request's content as DAP, naming what is wrong with it. */
export function parseRequest(content: Record<string, unknown>): DapRequest {
  if (typeof content.command !== "string" || !content.command) throw new DapError("debug_request: content has no DAP \"command\"");
  const args = content.arguments;
  return {
    seq: typeof content.seq === "number" ? content.seq : 0, type: "request", command: content.command,
    arguments: args && typeof args === "object" ? args as Record<string, unknown> : {},
  };
}

export const CAPABILITIES = {
  supportsConfigurationDoneRequest: true,
  supportsConditionalBreakpoints: true,
  supportsEvaluateForHovers: true,
  supportsStepBack: false,
  supportsSetVariable: false,
  supportsRestartFrame: false,
  supportsTerminateRequest: false,
  supportsDelayedStackTraceLoading: false,
  supportsLoadedSourcesRequest: false,
  supportsExceptionInfoRequest: false,
  exceptionBreakpointFilters: [
    { filter: "raised", label: "Raised Exceptions", description: "Pause where any exception is thrown, even one the code catches", default: false },
    { filter: "uncaught", label: "Uncaught Exceptions", description: "Pause where an exception is thrown that ends the cell", default: false },
  ],
};
