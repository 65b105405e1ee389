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
          format: (_options, _params, payload: { proxy: string; trail: string }) =>
            `${payload.proxy.padEnd(28)} ${payload.trail}`,
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
      row.bar.update(0, { proxy: event.proxy, trail: this.#trail(row) });
    } else {
      const mark = event.phase === "done" ? this.#out.paintErr.green("✓") : "…";
      this.#out.note(`${event.proxy}  ${event.step} ${mark}`);
    }
  };

  stop(): void {
    if (!this.#stopped) {
      this.#stopped = true;
      this.#multi?.stop();
    }
  }

  #row(proxy: string): Row {
    let row = this.#rows.get(proxy);
    if (!row) {
      row = { bar: this.#multi?.create(1, 0, { proxy, trail: "" }), steps: new Map() };
      this.#rows.set(proxy, row);
    }
    return row;
  }

  #trail(row: Row): string {
    const paint = this.#out.paintErr;
    return [...row.steps]
      .map(([step, done]) => (done ? `${paint.green("✓")} ${step}` : `${paint.yellow("…")} ${step}`))
      .join("  ");
  }
}
