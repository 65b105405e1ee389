import cliProgress from "cli-progress";
import type { FleetProgress, FleetStep } from "../../index.js";
import type { Output } from "./output.js";
import type { LiveView } from "./transfer-bar.js";

interface Row {
  readonly bar: cliProgress.SingleBar | undefined;
  /** Steps in the order they started, and whether each is done. */
  readonly steps: Map<FleetStep, boolean>;
}

/**
 * The per-proxy step view of a fleet deploy or destroy: on a terminal, one live line per proxy with the steps it went
 * through (✓ done, … running); without one, a line per step as it starts and ends; with `--json`, nothing.
 */
export class FleetView implements LiveView {
  readonly #out: Output;
  readonly #rows = new Map<string, Row>();
  readonly #multi: cliProgress.MultiBar | undefined;
  #stopped = false;

  constructor(out: Output) {
    this.#out = out;
    this.#multi = out.live
      ? new cliProgress.MultiBar({
          stream: out.progressStream,
          hideCursor: true,
          gracefulExit: false,
          // The library's final frame is cut at the terminal's width counting colour codes as characters: the
          // live lines are cleared at the end and written once more as plain output instead.
          clearOnComplete: true,
          format: (_options, _params, payload: { line: string }) => payload.line,
        })
      : undefined;
  }

  /** The workflow's `onProgress`. */
  readonly onProgress = (event: FleetProgress): void => {
    if (this.#stopped || this.#out.json) {
      return;
    }
    const row = this.#row(event.proxy);
    row.steps.set(event.step, event.phase === "done");
    if (row.bar) {
      row.bar.update(0, { line: this.#line(event.proxy, row) });
    } else {
      const mark = event.phase === "done" ? this.#out.paintErr.green("✓") : "…";
      this.#out.note(`${event.proxy}  ${event.step} ${mark}`);
    }
  };

  stop(): void {
    if (!this.#stopped) {
      this.#stopped = true;
      if (this.#multi) {
        this.#multi.stop();
        for (const [proxy, row] of this.#rows) {
          this.#out.note(this.#line(proxy, row));
        }
      }
    }
  }

  #row(proxy: string): Row {
    let row = this.#rows.get(proxy);
    if (!row) {
      row = { bar: this.#multi?.create(1, 0, { line: proxy }), steps: new Map() };
      this.#rows.set(proxy, row);
    }
    return row;
  }

  #line(proxy: string, row: Row): string {
    const paint = this.#out.paintErr;
    const trail = [...row.steps]
      .map(([step, done]) => (done ? `${paint.green("✓")} ${step}` : `${paint.yellow("…")} ${step}`))
      .join("  ");
    return `${proxy.padEnd(28)} ${trail}`;
  }
}
