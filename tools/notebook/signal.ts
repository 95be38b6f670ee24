/** Waiting for a condition that changes when messages arrive, without polling. */

/**
 * Callers `wait` for a predicate; whoever changes the state calls `notify` and the waiters re-check.
 *
 * @example
 * const s = new Signal();
 * socket.listen(() => { count++; s.notify(); });
 * const ok = await s.until(() => count >= 3, Date.now() + 1000);
 */
export class Signal {
  private wakers: (() => void)[] = [];

  /** Wakes every waiter so it re-checks its predicate. */
  notify(): void {
    for (const wake of this.wakers.splice(0)) wake();
  }

  /** Resolves true once `pred()` holds, or false at `deadline` (epoch ms) if it still does not. */
  async until(pred: () => boolean, deadline: number): Promise<boolean> {
    while (!pred()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.wakers.push(done);
      });
    }
    return true;
  }

  /** Resolves after `ms`, or earlier if the deadline comes first. */
  static sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, Math.max(0, ms)));
  }
}
