import { createHash } from "node:crypto";
import { closeSync, constants, openSync, rmSync } from "node:fs";
import { access, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, test, vi } from "vitest";
import { testClient } from "../support/client.js";
import { useDownloadServer } from "../support/download-server.js";
import { useTempDir } from "../support/temp-dir.js";

// The file system is the real one; this wrapper only watches direct I/O, and plays a file system that refuses it,
// a short write or a failing disk.
const disk = vi.hoisted(() => ({
  refuse: undefined as undefined | "open" | "write",
  /** The code a direct open fails with, when `refuse` is "open". */
  refuseWith: "EINVAL",
  shortWrites: false,
  /** The direct write (counted from 1) that fails with EIO. */
  failAt: undefined as number | undefined,
  directOpens: 0,
  directAttempts: 0,
  directWrites: [] as { position: number; length: number }[],
  /** How the page cache's writes (`writev`) fail: they take no bytes, about a third of them, or fail with EIO. */
  plainWrites: undefined as undefined | "none" | "part" | "EIO",
  /** Closing a file fails (EBADF), as after a lost handle. */
  closeFails: false,
}));

vi.mock("node:fs/promises", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs/promises")>();
  const { constants } = await import("node:fs");
  const errno = (code: string) => Object.assign(new Error(`${code}: refused by the test's disk`), { code });
  const open: typeof real.open = async (path, flags, mode) => {
    const direct = typeof flags === "number" && (flags & (constants.O_DIRECT ?? 0)) !== 0;
    if (direct && disk.refuse === "open") {
      throw errno(disk.refuseWith);
    }
    const handle = await real.open(path, flags, mode);
    const writev = handle.writev.bind(handle);
    const close = handle.close.bind(handle);
    Object.assign(handle, {
      writev: async (buffers: Uint8Array[], position: number) => {
        if (disk.plainWrites === "EIO") {
          throw errno("EIO");
        }
        if (disk.plainWrites === "part") {
          // A third of the bytes, rounded so the cut falls inside a buffer (a short write, as a full disk makes).
          let left = Math.max(1, Math.floor(buffers.reduce((n, b) => n + b.byteLength, 0) * 0.37));
          const part: Uint8Array[] = [];
          for (const buffer of buffers) {
            if (left > 0) {
              part.push(buffer.subarray(0, Math.min(left, buffer.byteLength)));
              left -= Math.min(left, buffer.byteLength);
            }
          }
          return writev(part, position);
        }
        return disk.plainWrites === "none" ? { bytesWritten: 0, buffers } : writev(buffers, position);
      },
      close: async () => {
        await close();
        if (disk.closeFails) {
          throw errno("EBADF");
        }
      },
    });
    if (direct) {
      disk.directOpens++;
      const write = handle.write.bind(handle) as (...args: unknown[]) => Promise<{ bytesWritten: number }>;
      Object.assign(handle, {
        write: async (buffer: Uint8Array, offset: number, length: number, position: number) => {
          disk.directAttempts++;
          if (disk.refuse === "write") {
            throw errno("EINVAL");
          }
          if (disk.directAttempts === disk.failAt) {
            throw errno("EIO");
          }
          const count = disk.shortWrites ? length / 2 : length;
          disk.directWrites.push({ position, length: count });
          return write(buffer, offset, count, position);
        },
      });
    }
    return handle;
  };
  return { ...real, open, default: { ...real, open } };
});

const temp = useTempDir("scp-direct-io-test-");
const downloads = useDownloadServer();
const client = () => testClient({ baseUrl: downloads.url });
const IMAGE = "0b8c6c4e-0000-4000-8000-00000000dddd";
const MIB = 1024 * 1024;
/** The direct file's staging buffer: every direct write is one whole buffer. */
const STAGE = 4 * MIB;

/** Whether the temporary directory's file system takes direct I/O at all (tmpfs before Linux 6.6 does not). */
function directIoHere(): boolean {
  if (constants.O_DIRECT === undefined) {
    return false;
  }
  const probe = join(tmpdir(), `scp-direct-io-probe-${process.pid}`);
  try {
    closeSync(openSync(probe, constants.O_CREAT | constants.O_WRONLY | constants.O_DIRECT));
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { force: true });
  }
}
const hasDirectIo = directIoHere();

const bytes = (n: number) => {
  const data = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    data[i] = (i * 7 + (i >> 12)) % 251;
  }
  return data;
};
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

beforeEach(() => {
  Object.assign(disk, {
    refuse: undefined,
    refuseWith: "EINVAL",
    shortWrites: false,
    failAt: undefined,
    directOpens: 0,
    directAttempts: 0,
    plainWrites: undefined,
    closeFails: false,
  });
  disk.directWrites.length = 0;
});

async function downloadWhole(data: Buffer, target: { directIo?: boolean } = {}) {
  const ranges = downloads.serve({ data });
  const file = join(temp.dir, `image-${data.length}.vma`);
  const result = await client().images.download(IMAGE, { file, ...target });
  expect(ranges).toHaveLength(1);
  expect(result).toEqual({ sizeBytes: data.length, sha256: sha(data), resumes: 0 });
  expect((await readFile(file)).equals(data)).toBe(true);
  return file;
}

describe.runIf(hasDirectIo)("downloads to a file go around the page cache", () => {
  test.each([0, 1, 4095, 4096, STAGE - 1, STAGE, STAGE + 1, 3 * STAGE + 123])("%i bytes arrive whole", async (size) => {
    await downloadWhole(bytes(size));
    expect(disk.directOpens).toBe(1);
    // Whole staging buffers only, each at its own place: aligned as direct I/O requires.
    expect(disk.directWrites).toEqual(
      Array.from({ length: Math.floor(size / STAGE) }, (_, i) => ({ position: i * STAGE, length: STAGE })),
    );
  });

  test("directIo: false writes through the page cache", async () => {
    await downloadWhole(bytes(STAGE + 5), { directIo: false });
    expect(disk.directOpens).toBe(0);
  });

  test.each(["EINVAL", "EACCES"])(
    "a file system that refuses a direct open (%s) gets the whole file through the page cache",
    async (code) => {
      Object.assign(disk, { refuse: "open", refuseWith: code });
      await downloadWhole(bytes(STAGE + 5));
      expect(disk.directOpens).toBe(0);
    },
  );

  test("a file system that refuses the first direct write gets the whole file through the page cache", async () => {
    disk.refuse = "write";
    await downloadWhole(bytes(3 * STAGE + 7));
    expect(disk.directOpens).toBe(1);
    expect(disk.directWrites).toEqual([]);
    // Only the writes already under way when the first was refused tried direct I/O; none after.
    expect(disk.directAttempts).toBeGreaterThan(0);
    expect(disk.directAttempts).toBeLessThanOrEqual(2);
  });

  test("the last partial stage, written through the page cache in short writes, is finished in order", async () => {
    disk.plainWrites = "part";
    await downloadWhole(bytes(2 * STAGE + 4097));
    expect(disk.directWrites).toHaveLength(2);
  });

  test("a short direct write is finished through the page cache", async () => {
    disk.shortWrites = true;
    await downloadWhole(bytes(2 * STAGE + 9));
    expect(disk.directWrites.map((w) => w.length)).toEqual([STAGE / 2, STAGE / 2]);
  });

  test.each([
    ["the first write", 1, 2 * STAGE + 1],
    ["the last write, found when the file closes", 2, 2 * STAGE + 5],
  ])("a disk that fails %s ends the download at once: no resume, and the file is removed", async (_, failAt, size) => {
    disk.failAt = failAt;
    const ranges = downloads.serve({ data: bytes(size) });
    const file = join(temp.dir, "failing.vma");
    await expect(client().images.download(IMAGE, { file })).rejects.toMatchObject({ code: "EIO" });
    expect(ranges).toHaveLength(1);
    await expect(access(file)).rejects.toMatchObject({ code: "ENOENT" });
  });

  test("a dropped download resumes with Range into the same direct file", async () => {
    const data = bytes(2 * STAGE + 77);
    const ranges = downloads.serve({ data, cutFirstAt: STAGE + 4321 });
    const file = join(temp.dir, "resumed.vma");
    const result = await client().images.download(IMAGE, { file });
    expect(ranges).toEqual([null, `bytes=${STAGE + 4321}-`]);
    expect(result).toEqual({ sizeBytes: data.length, sha256: sha(data), resumes: 1 });
    expect((await readFile(file)).equals(data)).toBe(true);
    expect(disk.directOpens).toBe(1);
  });

  test("a server that ignores Range: the resume skips what the direct file has and writes the rest once", async () => {
    // Cut past a full stage, inside the next: the skipped bytes end mid-stage, where the writes go on.
    const data = bytes(3 * STAGE + 3);
    const ranges = downloads.serve({ data, cutFirstAt: STAGE + 4321, ignoreRange: true });
    const file = join(temp.dir, "skipped.vma");
    const result = await client().images.download(IMAGE, { file });
    expect(ranges).toEqual([null, `bytes=${STAGE + 4321}-`]);
    expect(result).toEqual({ sizeBytes: data.length, sha256: sha(data), resumes: 1 });
    expect((await readFile(file)).equals(data)).toBe(true);
    // Each stage written once: nothing of the first answer was written again.
    expect(disk.directWrites.map((w) => w.position)).toEqual([0, STAGE, 2 * STAGE]);
  });
});

describe("downloads through the page cache (directIo: false)", () => {
  test("a disk that takes no bytes and reports no error ends the download instead of spinning", async () => {
    disk.plainWrites = "none";
    const ranges = downloads.serve({ data: bytes(3 * MIB + 1) });
    const file = join(temp.dir, "stuck.vma");
    await expect(client().images.download(IMAGE, { file, directIo: false })).rejects.toThrow(/took no bytes/);
    expect(ranges).toHaveLength(1);
    await expect(access(file)).rejects.toMatchObject({ code: "ENOENT" });
  });

  test("writes that take only part of their bytes are finished, in order", async () => {
    disk.plainWrites = "part";
    await downloadWhole(bytes(3 * MIB + 1), { directIo: false });
  });

  test("a write's error found when the file closes wins over the error of closing it", async () => {
    // One chunk, queued whole: the failing write is only found by close().
    Object.assign(disk, { plainWrites: "EIO", closeFails: true });
    downloads.serve({ data: bytes(1000) });
    const file = join(temp.dir, "failing-close.vma");
    await expect(client().images.download(IMAGE, { file, directIo: false })).rejects.toMatchObject({ code: "EIO" });
    await expect(access(file)).rejects.toMatchObject({ code: "ENOENT" });
  });
});

test("a download target's directIo must be a boolean", async () => {
  await expect(
    client().images.download(IMAGE, { file: join(temp.dir, "x.vma"), directIo: "yes" as unknown as boolean }),
  ).rejects.toThrow(/directIo/);
});
