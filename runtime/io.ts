// runtime/io.ts
// The contract between the kernel (kernel/, which speaks ZeroMQ on a worker thread) and the
// runtime (runtime/, which compiles and runs cells on the main thread). The kernel builds one
// Evaluator and calls it; the runtime reports everything a cell produces through CellIO.
// Neither side imports the other's internals: kernel/ imports only this file and
// runtime/evaluator.ts; runtime/ never imports kernel/.

/** A Jupyter mime bundle: "text/plain" always, plus richer representations. */
export type MimeBundle = { "text/plain"?: string } & Record<string, unknown>;

/** Where a running cell's output goes. Each call must reach the frontend promptly, even while
 * user code keeps the main thread busy (the kernel posts to its socket thread). */
export interface CellIO {
  stream(name: "stdout" | "stderr", text: string): void;
  /** display_data, or update_display_data when opts.update (then displayId is required). */
  display(bundle: MimeBundle, metadata: Record<string, unknown>,
    opts: { displayId?: string; update?: boolean }): void;
  clearOutput(wait: boolean): void;
  /** input_request on stdin; rejects with a StdinNotAllowed error when the frontend said
   * allow_stdin = false. */
  input(prompt: string, password: boolean): Promise<string>;
}

/** Comm messages from the runtime to the frontend (iopub comm_open / comm_msg / comm_close), with
 * the message's binary buffers and metadata. Messages from the frontend arrive through
 * EvaluatorApi.commMessage, their buffers (when there are any) as `content.buffers`. */
export interface CommIO {
  send(msgType: "comm_open" | "comm_msg" | "comm_close", content: Record<string, unknown>, buffers?: Uint8Array[],
    metadata?: Record<string, unknown>): void;
  /** Where the kernel offers it: comm_msg for registered comm ids bypass the shell queue, so a
   * running cell (a training loop's Stop button) sees them. The socket thread posts each as
   * { id, msg_type, content, buffers } on `port` and then adds 1 to pending[0] (Atomics.notify);
   * the runtime calls done(id) once it has handled one (the kernel then says idle for it). */
  readonly fast?: {
    port: import("node:worker_threads").MessagePort;
    pending: Int32Array;
    register(commId: string): void;
    unregister(commId: string): void;
    done(id: number): void;
  };
}

export type Outcome =
  | { status: "ok"; result?: MimeBundle; resultMetadata?: Record<string, unknown>;
      /** execute_reply payloads: the pager ({source: "page"}), set_next_input (magics.ts). */
      payload?: Record<string, unknown>[] }
  | { status: "error"; ename: string; evalue: string; traceback: string[] };

export interface ExecuteOptions {
  executionCount: number;
  silent: boolean;
  storeHistory: boolean;
  allowStdin: boolean;
  /** Folder of the notebook (from the session, else the kernel's cwd): resolves npm imports. */
  cwd?: string;
}

export interface CompleteResult {
  matches: string[]; cursor_start: number; cursor_end: number; metadata: Record<string, unknown>;
}
export interface InspectResult { found: boolean; data: MimeBundle; metadata: Record<string, unknown> }
export type IsCompleteStatus = { status: "complete" | "invalid" | "unknown" } | { status: "incomplete"; indent: string };

/** What kernel/ calls. Implemented by runtime/evaluator.ts (class Evaluator). */
export interface EvaluatorApi {
  execute(code: string, io: CellIO, opts: ExecuteOptions): Promise<Outcome>;
  /** user_expressions: evaluate each expression in the current scope, no side outputs. */
  evaluateExpressions(exprs: Record<string, string>): Promise<Record<string, Outcome>>;
  complete(code: string, cursorPos: number): CompleteResult;
  inspect(code: string, cursorPos: number, detailLevel: number): InspectResult;
  isComplete(code: string): IsCompleteStatus;
  /** Stop the running cell: the pending execute resolves with ename "Interrupted". */
  interrupt(): void;
  /** comm_open / comm_msg / comm_close arriving from the frontend; comm_info for the reply. */
  commMessage(msgType: "comm_open" | "comm_msg" | "comm_close", content: Record<string, unknown>): void;
  commInfo(targetName?: string): Record<string, { target_name: string }>;
}
