// How a fleet's VMs are read: filtered to the fleet's names, and consistent when the list spans pages.
import { http } from "msw";
import { expect, test } from "vitest";
import { findBackupProxies } from "../../src/index.js";
import { testClient } from "../support/client.js";
import { BASE, page, useMsw, v2 } from "../support/msw.js";

const server = useMsw();

const marked = (i: number) => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
  name: `acme-12345678-${String(i).padStart(3, "0")}`,
  description: `scp-sdk-proxy/1 fleet=acme image=img-1 created=2025-01-01T00:00:00.000Z init=-`,
  az_id: "az-1",
  os_name: "Backup Proxy",
  power_state: "on",
  vtool_installed: 1,
});

test("a fleet listing that shifts between pages is read again until two whole reads agree", async () => {
  let vms = Array.from({ length: 150 }, (_, i) => marked(i + 1));
  const queries: (string | null)[] = [];
  let shifted = false;
  server.use(
    http.get(`${BASE}/janus/20240725/servers`, ({ request }) => {
      const q = new URL(request.url).searchParams;
      queries.push(q.get("query_name"));
      const pageNum = Number(q.get("page_num"));
      if (pageNum === 1 && !shifted) {
        // Someone deletes a VM of the first page between the two page reads: the second page moves up by one.
        shifted = true;
        vms = vms.filter((_, i) => i !== 10);
      }
      return v2(page(vms, pageNum, Number(q.get("page_size"))));
    }),
  );
  const proxies = await findBackupProxies(testClient(), { fleetId: "acme" });
  expect(proxies.map((p) => p.name)).toEqual(vms.map((v) => v.name));
  expect(new Set(queries)).toEqual(new Set(["acme-"]));
});
