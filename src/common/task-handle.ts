/**
 * A typed handle of a task that runs elsewhere (a trainer child process, a Piscina worker thread): its name, with the
 * input and output types carried along. The job kind that runs the task and the table entry that serves it both use
 * the same handle, so the name is written once and the input/output types cannot drift apart. At run time a handle is
 * just the task's name (a string), which is what crosses the process or thread boundary.
 */
declare const io: unique symbol;

export type TaskHandle<I, O> = string & { readonly [io]?: (input: I) => O };

/** Declares a task handle; the only place a task name is written. */
export function taskHandle<I, O>(name: string): TaskHandle<I, O> {
  return name as TaskHandle<I, O>;
}
