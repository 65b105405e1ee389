import type { Command } from "commander";
import type { Az } from "../../../index.js";
import { table } from "../output.js";
import type { Session } from "../session.js";

/** `pools`: the platform's resource pools (azs). */
export function registerPools(program: Command, session: Session): void {
  program
    .command("pools")
    .description("list the resource pools (azs): where proxies and images can go")
    .action(async () => {
      const scp = await session.client();
      const pools: Az[] = [];
      for await (const az of scp.azs.listAll({}, { signal: session.signal })) {
        pools.push(az);
      }
      session.result({ pools }, (paint) => [
        table(
          paint,
          ["ID", "NAME", "TYPE", "STATUS", "VERSION"],
          pools.map((p) => [
            p.id,
            p.name,
            p.type,
            p.status === "normal" ? paint.green(p.status) : paint.yellow(p.status),
            p.version ?? "",
          ]),
        ),
      ]);
    });
}
