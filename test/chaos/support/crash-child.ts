// The child of a crash trial: runs one deploy or publish against the parent's HTTPS simulator until the parent
// kills it with SIGKILL (or it finishes). Started as `node --import tsx crash-child.ts` with CHAOS_CHILD set.
import { createScpClient, deployBackupProxyFleet, publishProxyImage } from "../../../src/index.js";

interface ChildJob {
  url: string;
  ca: string;
  accessKey: string;
  secretKey: string;
  mode: "deploy" | "publish";
  input: Record<string, unknown>;
  options: Record<string, unknown>;
}

const job = JSON.parse(process.env.CHAOS_CHILD ?? "{}") as ChildJob;
const scp = createScpClient({
  baseUrl: job.url,
  auth: { type: "signature", accessKey: job.accessKey, secretKey: job.secretKey },
  tls: { ca: job.ca },
  proxy: false,
});
const fast = { pollIntervalMs: 2, maxIntervalMs: 10 };
const run =
  job.mode === "deploy"
    ? deployBackupProxyFleet(scp, job.input as never, { ...fast, ...job.options })
    : publishProxyImage(scp, job.input as never, { ...fast, ...job.options });
run.then(
  () => process.stdout.write("done\n"),
  (error: unknown) => {
    process.stdout.write(`failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    process.exitCode = 1;
  },
);
