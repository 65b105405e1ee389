import { Command } from "commander";
import { SDK_VERSION } from "../../index.js";
import { registerBackup } from "./commands/backup.js";
import { registerFleet } from "./commands/fleet.js";
import { registerImage } from "./commands/image.js";
import { registerPools } from "./commands/pools.js";
import { registerProxies } from "./commands/proxies.js";
import { registerRestore } from "./commands/restore.js";
import { registerSweep } from "./commands/sweep.js";
import { registerVersion } from "./commands/version.js";
import { addGlobalFlags } from "./connection.js";
import type { Session } from "./session.js";

const EPILOG = `
Environment: SCP_URL, SCP_ACCESS_KEY and SCP_SECRET_KEY (or SCP_USERNAME and SCP_PASSWORD), SCP_CA_FILE,
SCP_INSECURE=1, NO_COLOR. Give secrets through the environment, not flags.

Exit codes: 0 ok, 1 failed, 2 bad input, 3 refused by the platform or a preflight, 130 interrupted (Ctrl-C),
143 terminated (SIGTERM). Ctrl-C stops the command and removes what it made; a second Ctrl-C exits at once.
A held backup or restore session is released with Enter (or the end of stdin), or after --hold-seconds.`;

/** The command tree. Each group lives in its own module under commands/ and registers itself here. */
export function buildProgram(session: Session): Command {
  const program = new Command("scp-proxy")
    .description("Operate backup proxies on Sangfor Cloud Platform: images, fleets, inventory, backup sessions")
    .version(SDK_VERSION, "-V, --version", "print scp-proxy's version")
    .exitOverride()
    .showHelpAfterError("(add --help for usage)")
    .configureOutput({ outputError: (text, write) => write(session.out.redact(text)) })
    .addHelpText("after", EPILOG);
  addGlobalFlags(program);
  program.hook("preAction", (_program, action) => session.configure(action));
  registerVersion(program, session);
  registerPools(program, session);
  registerProxies(program, session);
  registerImage(program, session);
  registerFleet(program, session);
  registerBackup(program, session);
  registerRestore(program, session);
  registerSweep(program, session);
  return program;
}
