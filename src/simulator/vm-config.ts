import type { NetworkAdapter, OsOption, VmConfig, VmConfigDisk } from "../generated/schema.js";
import type { SimServer } from "./model.js";

/** The OS description of an OS type code (Windows codes start with ws or win). */
export function osOption(osType: string): OsOption {
  const windows = osType.startsWith("ws") || osType.startsWith("win");
  return { arch: "amd64", kernel_name: windows ? "windows" : "linux", distribution_name: osType };
}

/** An OS type code for an OS description (the inverse of {@link osOption}, as far as it goes). */
export function osTypeOf(option: { kernel_name?: string | undefined; distribution_name?: string | undefined }): string {
  const name = option.distribution_name ?? "";
  if (/^(l2|ws|win|linux-|other)/.test(name)) {
    return name;
  }
  return option.kernel_name === "windows" ? "ws1964" : "l2664";
}

/**
 * A VM's configuration as a snapshot freezes it (`vmconf`), in the shape `createServerFromConfig` takes back:
 * disks with ids and sizes, network adapters, OS, datastore and host.
 */
export function vmConfig(server: SimServer): VmConfig {
  const disks: VmConfigDisk[] = server.disks.map((d, i) => ({
    id: d.id ?? "",
    size_mb: Math.round(d.size_mb ?? 0),
    storage_id: d.storage_id ?? server.storage_id,
    storage_file: `${d.storage_id ?? server.storage_id}:vm-disk-${i + 1}.qcow2`,
    type: d.type ?? "new_disk",
    preallocate: d.preallocate ?? "off",
  }));
  const adapters: NetworkAdapter[] = server.networks.map((n) => ({
    vif_id: n.vif_id ?? "",
    mac_address: n.mac_address ?? "",
    connected: n.connect === 0 ? 0 : 1,
    type: "VIRTIO",
  }));
  return {
    name: server.name,
    description: server.description,
    datastore_id: server.storage_id,
    host_id: server.host_id || "cluster",
    application: server.application,
    os_option: osOption(server.os_type),
    hardware_option: {
      cpu: { cores: server.cores, sockets: server.sockets },
      memory: { size_gb: server.memory_mb / 1024 },
      disks,
      network_adapters: adapters,
    },
    advanced_option: {
      turbo_mode_enabled: server.turbo_mode_enabled === 1,
      tpm_enabled: false,
      vmtools_install_state: server.vtool_installed === 1 ? "INSTALLED" : "NOT_INSTALLED",
    },
  };
}
