import type { ScpTlsOptions } from "../options.js";

/** Node's TLS connect options for ours: extra CA certificates, and verification unless `insecure`. @internal */
export function tlsConnectOptions(tls: ScpTlsOptions | undefined): {
  ca?: string | Buffer;
  rejectUnauthorized: boolean;
} {
  const ca = tls?.ca === undefined || typeof tls.ca === "string" ? tls?.ca : Buffer.from(tls.ca);
  return { ...(ca === undefined ? {} : { ca }), rejectUnauthorized: tls?.insecure !== true };
}
