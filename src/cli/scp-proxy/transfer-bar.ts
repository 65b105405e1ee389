import cliProgress from "cli-progress";
import type { ImageProgress } from "../../index.js";
import type { Output } from "./output.js";

/** Progress shown while a command runs: stopped when it ends or is interrupted. */
export interface LiveView {
  /** Ends the view (idempotent); later events are ignored. */
  stop(): void;
}

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/** One transfer phase as the bar follows it. */
interface Phase {
  readonly name: ImageProgress["phase"];
  readonly startedAt: number;
  doneBytes: number;
  ended: boolean;
}

/** A byte count for people: `4.0 MiB`. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/**
 * Transfer progress of the image workflows, one bar per phase (hash, download, upload) with bytes, rate and ETA,
 * drawn on a terminal's stderr. Without a terminal it prints one line per finished phase instead; with `--json`,
 * nothing.
 */
export class TransferBar implements LiveView {
  readonly #out: Output;
  #bar: cliProgress.SingleBar | undefined;
  #phase: Phase | undefined;
  /** When the last phase ended (or the command started): where a phase reported only at its end began. */
  #lastEnd = Date.now();
  #stopped = false;

  constructor(out: Output) {
    this.#out = out;
  }

  /** The workflow's `onProgress`. A phase ends at its 100% event; the steps after it show no stale rate. */
  readonly onProgress = (event: ImageProgress): void => {
    if (this.#stopped || this.#out.json) {
      return;
    }
    const complete = event.totalBytes !== undefined && event.doneBytes >= event.totalBytes;
    if (event.phase !== this.#phase?.name) {
      this.#endPhase();
      // Hashing reports only its end: it began when the phase before it ended.
      const startedAt = complete ? this.#lastEnd : Date.now();
      this.#phase = { name: event.phase, startedAt, doneBytes: event.doneBytes, ended: false };
      this.#bar = this.#out.live ? this.#newBar(this.#phase, event.totalBytes ?? 0) : undefined;
    } else if (this.#phase.ended) {
      return;
    }
    this.#phase.doneBytes = event.doneBytes;
    if (event.totalBytes !== undefined && event.totalBytes !== this.#bar?.getTotal()) {
      this.#bar?.setTotal(event.totalBytes);
    }
    this.#bar?.update(event.doneBytes);
    if (complete) {
      this.#endPhase();
    }
  };

  stop(): void {
    if (!this.#stopped) {
      this.#endPhase();
      this.#stopped = true;
    }
  }

  #newBar(phase: Phase, totalBytes: number): cliProgress.SingleBar {
    const paint = this.#out.paintErr;
    const bar = new cliProgress.SingleBar({
      stream: this.#out.progressStream,
      hideCursor: true,
      gracefulExit: false,
      barCompleteChar: "█",
      barIncompleteChar: "░",
      barsize: 30,
      etaBuffer: 50,
      format: (options, params) => {
        const known = params.total > 0;
        const seconds = Math.max(0.001, (Date.now() - phase.startedAt) / 1000);
        const bar = known ? cliProgress.Format.BarFormat(params.progress, options) : "";
        const percent = known ? `${String(Math.floor(params.progress * 100)).padStart(3)}%` : "";
        const size = known ? `${formatBytes(params.value)}/${formatBytes(params.total)}` : formatBytes(params.value);
        const rate = `${formatBytes(params.value / seconds)}/s`;
        const eta =
          known && params.value >= params.total
            ? `in ${seconds.toFixed(1)} s`
            : `ETA ${known && Number.isFinite(params.eta) ? cliProgress.Format.TimeFormat(params.eta, options, 5) : "?"}`;
        return `${paint.cyan(phase.name.padEnd(8))} ${bar} ${percent} ${size}  ${rate}  ${eta}`;
      },
    });
    bar.start(totalBytes, phase.doneBytes);
    return bar;
  }

  /** Leaves the finished phase's bar in place (or prints its line without a terminal). */
  #endPhase(): void {
    const phase = this.#phase;
    if (!phase || phase.ended) {
      return;
    }
    phase.ended = true;
    this.#lastEnd = Date.now();
    if (this.#bar) {
      this.#bar.stop();
      this.#bar = undefined;
    } else {
      const seconds = Math.max(0.001, (Date.now() - phase.startedAt) / 1000);
      const rate = `${formatBytes(phase.doneBytes / seconds)}/s`;
      this.#out.note(`${phase.name}: ${formatBytes(phase.doneBytes)} in ${seconds.toFixed(1)} s (${rate})`);
    }
  }
}
