/** What this process does besides serving the API (set by main.ts / worker.ts, provided as APP_ROLE). */
export interface AppRole {
  /** Pull jobs from the queue in this process. */
  worker: boolean;
}
