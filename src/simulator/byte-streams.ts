import { createCipheriv, createHash } from "node:crypto";
import { open } from "node:fs/promises";

const CHUNK_BYTES = 64 * 1024;
const AES_BLOCK = 16;

/**
 * Deterministic pseudo-random bytes `[start, end)` of a generated image file (the VMA of an image made from a
 * VM). AES-128-CTR keyed by the seed and image id: any offset can be reached without producing the bytes
 * before it, and only one small chunk exists at a time.
 */
export function generatedBytes(seed: string, imageId: string, start: number, end: number): ReadableStream<Uint8Array> {
  const key = createHash("sha256").update(`${seed}:vma:${imageId}`).digest().subarray(0, 16);
  const firstBlock = Math.floor(start / AES_BLOCK);
  const iv = Buffer.alloc(AES_BLOCK);
  iv.writeBigUInt64BE(BigInt(firstBlock), 8);
  const cipher = createCipheriv("aes-128-ctr", key, iv);
  const zeros = Buffer.alloc(CHUNK_BYTES + AES_BLOCK);
  let skip = start - firstBlock * AES_BLOCK;
  let position = start;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (position >= end) {
          controller.close();
          return;
        }
        const length = Math.min(CHUNK_BYTES, end - position);
        const out = cipher.update(zeros.subarray(0, length + skip)).subarray(skip);
        skip = 0;
        position += length;
        controller.enqueue(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
      },
    },
    { highWaterMark: 1 },
  );
}

/** Bytes `[start, end)` of a file, read one chunk per pull so memory stays flat. */
export function fileBytes(path: string, start: number, end: number): ReadableStream<Uint8Array> {
  let position = start;
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  const close = async () => {
    const current = handle;
    handle = undefined;
    await current?.close();
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        handle ??= await open(path, "r");
        const length = Math.min(CHUNK_BYTES, end - position);
        if (length <= 0) {
          await close();
          controller.close();
          return;
        }
        const buffer = new Uint8Array(length);
        const { bytesRead } = await handle.read(buffer, 0, length, position);
        if (bytesRead === 0) {
          await close();
          controller.error(new Error("the image file ended early"));
          return;
        }
        position += bytesRead;
        controller.enqueue(buffer.subarray(0, bytesRead));
      },
      cancel: close,
    },
    { highWaterMark: 1 },
  );
}
