import type { Command } from "commander";
import { SDK_VERSION } from "../../../index.js";
import type { Session } from "../session.js";

/** `version`: this CLI's version, and the platform's when an SCP address is configured. */
export function registerVersion(program: Command, session: Session): void {
  program
    .command("version")
    .description("print the versions of scp-proxy, Node.js and (with an SCP address) the platform")
    .action(async () => {
      const local = { scpProxy: SDK_VERSION, node: process.version };
      const platform = session.connectionGiven
        ? await (await session.client()).system.version({ signal: session.signal })
        : undefined;
      session.result({ ...local, ...(platform ? { platform } : {}) }, (paint) => [
        `scp-proxy ${SDK_VERSION} (sangfor-scp-sdk ${SDK_VERSION}, Node.js ${process.version})`,
        platform ? `SCP ${paint.bold(platform.version)} (build ${platform.buildVersion})` : "SCP: no address given",
      ]);
    });
}
