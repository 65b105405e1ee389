// The two halves of publishing, on their own: export the golden VM's VMA to a local file, then import that file
// as a private, administrator-owned image into the pools (on this SCP or, with another client, on another one).
// Simulator by default; a real SCP with SCP_URL, SCP_ACCESS_KEY/SCP_SECRET_KEY, SCP_GOLDEN_VM and SCP_POOLS.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportProxyImage, importProxyImage } from "sangfor-scp-sdk";
import { connect } from "./connect.js";

const target = await connect();
const dir = await mkdtemp(join(tmpdir(), "proxy-image-"));
try {
  const exported = await exportProxyImage(target.scp, {
    serverId: target.goldenServerId,
    imageName: "backup-proxy-source",
    file: join(dir, "backup-proxy.vma"),
  });
  const imported = await importProxyImage(target.scp, {
    file: exported.file,
    sha256: exported.sha256, // known from the download: saves hashing the file again
    imageName: "backup-proxy-v1",
    azIds: target.poolIds,
  });
  console.log(JSON.stringify({ exported: { sizeBytes: exported.sizeBytes, sha256: exported.sha256 }, imported }));
} finally {
  await rm(dir, { recursive: true, force: true });
  await target.close();
}
