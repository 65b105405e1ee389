import type { Command } from "commander";
import { exportProxyImage, importProxyImage, publishProxyImage } from "../../../index.js";
import { collect, given, inCliTerms } from "../flags.js";
import type { Paint } from "../output.js";
import type { Session } from "../session.js";
import { formatBytes } from "../transfer-bar.js";

/** Input fields of the image workflows, by the flag that sets each. */
const FIELDS = {
  serverId: "--vm",
  imageName: "--name",
  azIds: "--pool",
  ownerId: "--owner",
  file: "--file",
  osType: "--os-type",
  sha256: "--sha256",
  workDir: "--work-dir",
  keepFile: "--keep-file",
  stopSource: "--stop-source",
  cleanupOnError: "--no-cleanup",
};

interface ImageFlags {
  vm?: string;
  name: string;
  file?: string;
  pool?: string[];
  owner?: string;
  osType?: string;
  sha256?: string;
  workDir?: string;
  keepFile?: boolean;
  stopSource?: boolean;
  cleanup: boolean;
}

/** The options every image workflow takes from the run: progress, abort, clean-up. */
function runOptions(session: Session, flags: ImageFlags) {
  const bar = session.transferBar();
  return { signal: session.signal, onProgress: bar.onProgress, cleanupOnError: flags.cleanup };
}

/** Runs an image workflow, naming bad input by its flags. */
async function run<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw inCliTerms(error, { fields: FIELDS });
  }
}

function lines(paint: Paint, title: string, fields: Record<string, string | number | undefined>): string[] {
  const shown = Object.entries(fields).filter(([, v]) => v !== undefined);
  return [`${paint.green("✓")} ${title}`, ...shown.map(([k, v]) => `  ${k.padEnd(8)} ${v}`)];
}

const size = (bytes: number | undefined) =>
  bytes === undefined ? undefined : `${formatBytes(bytes)} (${bytes} bytes)`;

function registerExport(image: Command, session: Session): void {
  image
    .command("export")
    .description("make a VMA image of the golden proxy VM and download it to a file")
    .requiredOption("--vm <serverId>", "the golden proxy VM (vmtools installed)")
    .requiredOption("--name <imageName>", "name of the VMA image made from it (reused on a re-run)")
    .requiredOption("--file <path>", "where to write the VMA file")
    .option("--os-type <code>", "OS type code of the image (default: the VM's)")
    .option("--stop-source", "stop a running VM for the export and start it again afterwards")
    .option("--no-cleanup", "keep what a failed run made")
    .action(async (flags: ImageFlags) => {
      const scp = await session.client();
      const input = { serverId: flags.vm ?? "", imageName: flags.name, file: flags.file ?? "" };
      const options = { ...runOptions(session, flags), ...given({ stopSource: flags.stopSource }) };
      const result = await run(() => exportProxyImage(scp, { ...input, ...given({ osType: flags.osType }) }, options));
      session.result(result, (paint) =>
        lines(paint, `exported VM ${flags.vm} to ${result.file}`, {
          image: result.sourceImageId,
          size: size(result.sizeBytes),
          sha256: result.sha256,
        }),
      );
    });
}

function registerImport(image: Command, session: Session): void {
  image
    .command("import")
    .description("upload a VMA file as a private, administrator-owned image in the given pools")
    .requiredOption("--file <path>", "the VMA file")
    .requiredOption("--name <imageName>", "image name (a complete image of this name is reused)")
    .requiredOption("--pool <azId>", "resource pool to put it in (repeat, or comma-separate, for more)", collect)
    .option("--owner <projectId>", "owning administrator tenant (default: the administrator's)")
    .option("--os-type <code>", "OS type code, such as l2664")
    .option("--sha256 <hex>", "the file's SHA-256 when known (saves reading it twice)")
    .option("--no-cleanup", "keep what a failed run made")
    .action(async (flags: ImageFlags) => {
      const scp = await session.client();
      const input = {
        file: flags.file ?? "",
        imageName: flags.name,
        azIds: flags.pool ?? [],
        ...given({ ownerId: flags.owner, osType: flags.osType, sha256: flags.sha256 }),
      };
      const result = await run(() => importProxyImage(scp, input, runOptions(session, flags)));
      session.result(result, (paint) =>
        lines(paint, `${result.reused ? "reused" : "imported"} image ${result.imageId}`, {
          pools: result.azIds.join(", "),
          owner: result.ownerId,
          size: size(result.sizeBytes),
          sha256: result.sha256,
        }),
      );
    });
}

function registerPublish(image: Command, session: Session): void {
  image
    .command("publish")
    .description("export the golden VM and import it as the proxy image, in one run")
    .requiredOption("--vm <serverId>", "the golden proxy VM")
    .requiredOption("--name <imageName>", "name of the published image")
    .requiredOption("--pool <azId>", "resource pool to publish to (repeat, or comma-separate, for more)", collect)
    .option("--os-type <code>", "OS type code")
    .option("--work-dir <path>", "directory for the temporary VMA file (default: the OS temp directory)")
    .option("--keep-file", "keep the VMA file and print its path")
    .option("--stop-source", "stop a running golden VM for the export and start it again afterwards")
    .option("--no-cleanup", "keep what a failed run made")
    .action(async (flags: ImageFlags) => {
      const scp = await session.client();
      const input = {
        serverId: flags.vm ?? "",
        imageName: flags.name,
        azIds: flags.pool ?? [],
        ...given({ osType: flags.osType, workDir: flags.workDir, keepFile: flags.keepFile }),
      };
      const options = { ...runOptions(session, flags), ...given({ stopSource: flags.stopSource }) };
      const result = await run(() => publishProxyImage(scp, input, options));
      session.result(result, (paint) =>
        lines(paint, `${result.reused ? "already published" : "published"} image ${result.imageId}`, {
          pools: result.azIds.join(", "),
          owner: result.ownerId,
          source: result.sourceImageId,
          size: size(result.sizeBytes),
          sha256: result.sha256,
          file: result.file,
        }),
      );
    });
}

/** `image export|import|publish`: the proxy image's way from the golden VM to the pools. */
export function registerImage(program: Command, session: Session): void {
  const image = program.command("image").description("make, move and publish the backup-proxy image");
  registerExport(image, session);
  registerImport(image, session);
  registerPublish(image, session);
}
