import { buildProgram } from "./scp-proxy/program.js";
import { Session } from "./scp-proxy/session.js";

const argv = process.argv.slice(2);
const session = new Session(argv);
let code: number;
try {
  await buildProgram(session).parseAsync(argv, { from: "user" });
  code = session.end();
} catch (error) {
  code = session.end(error);
}
// Keep-alive sockets and timers of the client would hold the process open for a while: the run is over.
process.exit(code);
