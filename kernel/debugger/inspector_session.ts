// kernel/debugger/inspector_session.ts
// A V8 inspector session on the main thread, opened from the socket thread
// (inspector.Session#connectToMainThread). Commands are served even while the main thread is paused
// at a breakpoint: Node runs a nested loop there that only dispatches inspector messages. Opened
// on attach, closed on disconnect: with no session, V8 is not in debug mode and cells pay nothing.
import { Session } from "node:inspector";

export type Params = Record<string, unknown>;

export class InspectorSession {
  private readonly session = new Session();
  private open = true;

  constructor(onEvent: (method: string, params: Params) => void) {
    this.session.connectToMainThread();
    this.session.on("inspectorNotification", (m: { method: string; params?: Params }) => {
      try { onEvent(m.method, m.params ?? {}); } catch { /* an event handler must not end the thread */ }
    });
  }

  /** One CDP command; rejects with the inspector's message. */
  post<T = Params>(method: string, params: Params = {}): Promise<T> {
    if (!this.open) return Promise.reject(new Error("the inspector session is closed"));
    return new Promise((resolve, reject) => {
      this.session.post(method, params, (err, result) => (err ? reject(new Error(`${method}: ${err.message}`)) : resolve(result as T)));
    });
  }

  /** Closing the last session resumes a paused main thread and leaves V8's debug mode. */
  close(): void {
    if (!this.open) return;
    this.open = false;
    this.session.disconnect();
  }
}
