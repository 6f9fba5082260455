// kernel/routes.ts
// The one routing table: every msg_type a frontend may send on shell or control, and the thread
// that serves it. The socket thread routes by it (kernel/io/router.ts); the handler tables of both
// threads are typed over it (SocketHandlers in kernel/io/router.ts, MainHandlers in
// kernel/handlers.ts), so tsc fails when a type here has no handler, or a handler no route.
// A type not here gets an error reply when it is a request, and busy/idle only otherwise
// (kernel/io/router.ts unknown()). Knows nothing about sockets or what the messages mean.

/** "socket": answered on the socket thread, so it works while a cell blocks the main thread.
 * "main": queued on the main thread, where user code runs (shell in arrival order, control at once). */
export type Thread = "socket" | "main";

export interface Route {
  readonly thread: Thread;
  /** Served only on this channel (the spec puts interrupt_request on control). */
  readonly channel?: "control";
  /** A socket-thread request that, on shell while shell requests wait on the main thread, takes
   * its place in that queue instead (its reply must not overtake theirs), so it has a main
   * handler too. */
  readonly queuedOnShell?: true;
}

export const ROUTES = {
  // Answered at once while nothing is queued, so a frontend's first kernel_info does not wait
  // for the main thread to load the runtime.
  kernel_info_request: { thread: "socket", queuedOnShell: true },
  interrupt_request: { thread: "socket", channel: "control" },
  shutdown_request: { thread: "socket" },
  // The debugger lives on the socket thread: it must answer while user code is paused.
  debug_request: { thread: "socket" },
  execute_request: { thread: "main" },
  complete_request: { thread: "main" },
  inspect_request: { thread: "main" },
  is_complete_request: { thread: "main" },
  history_request: { thread: "main" },
  comm_info_request: { thread: "main" },
  comm_open: { thread: "main" },
  // comm_msg for a comm the runtime registered as fast skips the shell queue (kernel/bridge.ts
  // FastComms); it is still served on the main thread.
  comm_msg: { thread: "main" },
  comm_close: { thread: "main" },
} as const satisfies Record<string, Route>;

export type MsgType = keyof typeof ROUTES;
/** Types with a handler on the socket thread. */
export type SocketType = { [K in MsgType]: (typeof ROUTES)[K]["thread"] extends "socket" ? K : never }[MsgType];
/** Types with a handler on the main thread. */
export type MainType = { [K in MsgType]: (typeof ROUTES)[K] extends { thread: "main" } | { queuedOnShell: true } ? K : never }[MsgType];

/** The route of a msg_type, or undefined for a type not in the table. */
export function routeOf(type: string): Route | undefined {
  return Object.hasOwn(ROUTES, type) ? ROUTES[type as MsgType] : undefined;
}

/** The reply type for a request type (comm_* have none). */
export function replyType(msgType: string): string | undefined {
  return msgType.endsWith("_request") ? msgType.slice(0, -"_request".length) + "_reply" : undefined;
}
