// A file system may return fewer bytes than a read asked for (a network file system, a FUSE one) before the end of
// the file. The signed upload's hash pre-pass and the upload itself must then go on from the byte after the last one
// read: the simulator checks the signature's hash against the bytes it receives.
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, test, vi } from "vitest";
import { FAST, simulated } from "../support/sim.js";
import { useTempDir } from "../support/temp-dir.js";

const shortReads = vi.hoisted(() => ({ count: 0 }));

// Every read of a file whose name contains "short-reads" returns at most 777 bytes less than it asked for.
vi.mock("node:fs/promises", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs/promises")>();
  const open: typeof real.open = async (path, flags, mode) => {
    const handle = await real.open(path, flags, mode);
    if (String(path).includes("short-reads")) {
      const read = handle.read.bind(handle) as (...args: unknown[]) => Promise<{ bytesRead: number }>;
      Object.assign(handle, {
        read: (buffer: Uint8Array, offset: number, length: number, position: number | null) => {
          shortReads.count++;
          return read(buffer, offset, Math.max(1, length - 777), position);
        },
      });
    }
    return handle;
  };
  return { ...real, open, default: { ...real, open } };
});

const MIB = 1024 * 1024;
const temp = useTempDir("scp-upload-short-reads-");

test.each([3 * MIB + 5, 5 * MIB])(
  "a signed upload of %i bytes read in short pieces is accepted whole",
  async (size) => {
    const { scp, sim } = simulated();
    const data = Buffer.from(Array.from({ length: size }, (_, i) => (i * 131 + (i >> 20)) % 251));
    const file = join(temp.dir, `short-reads-${size}.vma`);
    await writeFile(file, data);
    const owner = await scp.projects.getAdministratorId();
    const { imageId } = await scp.images.create({
      name: `short-${size}`,
      azs: [sim.poolIds[0] as string],
      disk_format: "aCloud",
      image_type: "private",
      owner_id: owner,
    });
    shortReads.count = 0;
    await scp.tasks.wait(await scp.images.upload(imageId, { file }), FAST);
    expect(shortReads.count).toBeGreaterThan(0);
    const image = sim.state().images.find((i) => i.id === imageId);
    expect(image?.upload).toEqual({ sizeBytes: size, sha256: createHash("sha256").update(data).digest("hex") });
  },
);
