// A signed upload carries the file's SHA-256 in its signature, made by a pre-pass over the file before sending.
// The simulator checks it against the bytes it receives, so a pre-pass that hashed wrong would be refused.
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, test } from "vitest";
import { FAST, simulated } from "../support/sim.js";
import { useTempDir } from "../support/temp-dir.js";

const MIB = 1024 * 1024;
const temp = useTempDir("scp-upload-hash-");

// The pre-pass reads 2 MiB at a time into two buffers that take turns, and the upload sends the file in 2 MiB
// reads: sizes around their boundaries.
const SIZES = [1, MIB - 1, MIB, MIB + 1, 2 * MIB, 2 * MIB + 3, 4 * MIB - 1, 4 * MIB, 4 * MIB + 1, 8 * MIB, 8 * MIB + 3];

test.each(SIZES)("a signed upload of %i bytes is accepted and stored whole", async (size) => {
  const { scp, sim } = simulated();
  const data = Buffer.from(Array.from({ length: size }, (_, i) => (i * 131 + (i >> 20)) % 251));
  const file = join(temp.dir, `${size}.vma`);
  await writeFile(file, data);
  const owner = await scp.projects.getAdministratorId();
  const azs = [sim.poolIds[0] as string];
  const { imageId } = await scp.images.create({
    name: `up-${size}`,
    azs,
    disk_format: "aCloud",
    image_type: "private",
    owner_id: owner,
  });
  await scp.tasks.wait(await scp.images.upload(imageId, { file }), FAST);
  const image = sim.state().images.find((i) => i.id === imageId);
  expect(image?.status).toBe("active");
  expect(image?.upload).toEqual({ sizeBytes: size, sha256: createHash("sha256").update(data).digest("hex") });
});
