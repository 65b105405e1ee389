/** What a session writes into everything it creates (a snapshot's description, a restored VM's description). */
export interface SessionMarker {
  /** The session. */
  sessionId: string;
  /** `backup` or `restore`. */
  kind: "backup" | "restore";
  /** The VM backed up or restored into. */
  serverId: string;
  /** The proxy the session hot-adds to. */
  proxyId: string;
  /** When the session started (ISO 8601). */
  createdAt: string;
}

const MARKER =
  /scp-sdk-session\/1 session=([0-9a-f-]{36}) kind=(backup|restore) server=(\S+) proxy=(\S+) created=(\S+)/;

/** Writes the marker. @internal */
export function formatSessionMarker(m: SessionMarker): string {
  return `scp-sdk-session/1 session=${m.sessionId} kind=${m.kind} server=${m.serverId} proxy=${m.proxyId} created=${m.createdAt}`;
}

/** Reads a marker out of a description; undefined when there is none (not a session's). @internal */
export function parseSessionMarker(text: string | undefined): SessionMarker | undefined {
  const match = text ? MARKER.exec(text) : null;
  if (!match) {
    return undefined;
  }
  const [, sessionId, kind, serverId, proxyId, createdAt] = match as unknown as string[];
  return {
    sessionId: sessionId as string,
    kind: kind as SessionMarker["kind"],
    serverId: serverId as string,
    proxyId: proxyId as string,
    createdAt: createdAt as string,
  };
}

/** The name of a session's snapshot (or restored VM): recognisable, and unique per session. @internal */
export function sessionObjectName(kind: "backup" | "restore" | "restore-base", sessionId: string): string {
  return `scp-sdk-${kind}-${sessionId.slice(0, 8)}`;
}
