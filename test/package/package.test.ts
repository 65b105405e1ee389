// The packed tarball, installed into a fresh project with only its declared dependencies, used as users use it.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { cleanEnv, ensureBuilt, type Installed, packAndInstall, ROOT, run } from "./packed.js";

const FIXTURES = join(ROOT, "test/package/fixtures");
let installed: Installed;

beforeAll(() => {
  ensureBuilt();
  installed = packAndInstall();
  for (const file of ["scenario.mjs", "consumer.mjs", "consumer.cjs"]) {
    copyFileSync(join(FIXTURES, file), join(installed.consumerDir, file));
  }
}, 300_000);

afterAll(() => {
  if (installed) {
    rmSync(installed.workDir, { recursive: true, force: true });
  }
});

/** Runs a consumer script with the Node running the tests and returns the facts it printed. */
function consume(script: string): Record<string, unknown> {
  const out = run(process.execPath, [script], { cwd: installed.consumerDir, timeout: 60_000 });
  return JSON.parse(out.trim().split("\n").at(-1) ?? "");
}

describe("the packed tarball", () => {
  it("holds the licence, readme, manifest and built files only: no source maps, sources or tests", () => {
    const { files } = installed;
    expect(files).toEqual(expect.arrayContaining(["LICENSE", "README.md", "package.json", "dist/cli/scp-sim.js"]));
    for (const entry of ["index", "simulator"]) {
      const built = [".js", ".cjs", ".d.ts", ".d.cts"].map((ext) => `dist/${entry}${ext}`);
      expect(files).toEqual(expect.arrayContaining(built));
    }
    expect(
      files.filter((f) => !f.startsWith("dist/") && !["LICENSE", "README.md", "package.json"].includes(f)),
    ).toEqual([]);
    expect(files.filter((f) => f.endsWith(".map") || /(^|\/)(src|test)\//.test(f))).toEqual([]);
  });

  it("installs what the entries load and nothing the client does not need", () => {
    const manifest = JSON.parse(
      readFileSync(join(installed.consumerDir, "node_modules/sangfor-scp-sdk/package.json"), "utf8"),
    );
    expect(Object.keys(manifest.dependencies).sort()).toEqual(["openapi-fetch", "undici", "zod"]);
    expect(manifest).toMatchObject({ license: "MIT", repository: { url: expect.stringContaining("github.com") } });
    // The simulator's YAML parser is bundled into it (vendors get a working simulator without installing it), and
    // into nothing the client loads.
    expect(existsSync(join(installed.consumerDir, "node_modules/yaml"))).toBe(false);
    for (const client of ["index.js", "index.cjs"]) {
      const code = readFileSync(join(installed.consumerDir, "node_modules/sangfor-scp-sdk/dist", client), "utf8");
      expect(code).not.toContain("node_modules/yaml/");
    }
  });
});

describe.each([
  ["ESM (import)", "consumer.mjs", /dist\/(index|simulator)\.js$/],
  ["CommonJS (require)", "consumer.cjs", /dist\/(index|simulator)\.cjs$/],
])("a consumer loading both entries via %s", (_, script, builtFile) => {
  it("calls the simulator through the client, on both transports, and catches the entry's error classes", () => {
    const facts = consume(script);
    expect(facts.files).toEqual([expect.stringMatching(builtFile), expect.stringMatching(builtFile)]);
    expect(facts).toMatchObject({
      version: "6.11.3",
      httpsVersion: "6.11.3",
      guestCommands: ["uname -a"],
      apiError: "ScpNotFoundError",
      apiErrorIsScpError: true,
      apiErrorIsNotFound: true,
      inputErrorIsValidation: true,
    });
  });
});

describe("an application bundling the package", () => {
  it("keeps only what it imports: one error class brings no zod, no undici, no openapi-fetch", async () => {
    const { build } = await import("esbuild");
    const bundled = await build({
      stdin: {
        contents: 'import { ScpError } from "sangfor-scp-sdk"; console.log(ScpError.name);',
        resolveDir: installed.consumerDir,
      },
      bundle: true,
      minify: true,
      platform: "node",
      format: "esm",
      write: false,
      metafile: true,
    });
    // Modules the bundler read but dropped have no bytes in the output.
    const kept = Object.values(bundled.metafile.outputs).flatMap((o) =>
      Object.entries(o.inputs)
        .filter(([, use]) => use.bytesInOutput > 0)
        .map(([input]) => input),
    );
    expect(kept.filter((i) => /node_modules\/(zod|undici|openapi-fetch)\//.test(i))).toEqual([]);
    expect(bundled.outputFiles[0]?.contents.byteLength).toBeLessThan(2_000);
  });
});

describe("the scp-proxy bin", () => {
  it("runs from the install with its bundled libraries, and answers version as JSON", () => {
    const bin = join(installed.consumerDir, "node_modules/.bin/scp-proxy");
    const out = run(bin, ["version", "--json"], { cwd: installed.consumerDir, timeout: 60_000 });
    const version = JSON.parse(out) as { scpProxy: string; node: string };
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    expect(version).toMatchObject({ scpProxy: manifest.version, node: process.version });
    // Its argument, table and colour libraries are bundled: none of them is installed for users.
    for (const library of ["commander", "cli-progress", "cli-table3", "picocolors"]) {
      expect(existsSync(join(installed.consumerDir, "node_modules", library))).toBe(false);
    }
  });
});

describe("the scp-sim bin", () => {
  it("prints its banner and stops on SIGTERM", async () => {
    const dataDir = mkdtempSync(join(installed.workDir, "sim-"));
    const bin = join(installed.consumerDir, "node_modules/.bin/scp-sim");
    // Through the bin link and its shebang, with the Node running the tests first on PATH.
    const path = `${join(process.execPath, "..")}:${process.env.PATH ?? ""}`;
    const child = spawn(bin, ["--port", "0", "--data-dir", dataDir], { env: cleanEnv({ PATH: path }) });
    onTestFinished(() => {
      child.kill("SIGKILL");
    });
    let out = "";
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes("Press Ctrl-C")) {
          resolve();
        }
      });
      child.stderr.on("data", (chunk: Buffer) => {
        out += chunk.toString();
      });
      exited.then((code) => reject(new Error(`scp-sim exited early (${code}): ${out}`)));
    });
    expect(out).toMatch(/SCP simulator \(acting as SCP 6\.11\.3\) listening on https:\/\/127\.0\.0\.1:\d+/);
    // A served request also orders the SIGTERM after scp-sim installs its handlers (it does so after the banner).
    const url = /listening on (https:\/\/\S+)/.exec(out)?.[1] ?? "";
    const token = /Token ([0-9a-f]{32})/.exec(out)?.[1] ?? "";
    const dispatcher = new Agent({ connect: { ca: readFileSync(join(dataDir, "scp-sim-ca.pem"), "utf8") } });
    const response = await fetch(`${url}/janus/20180725/system/version`, {
      headers: { Authorization: `Token ${token}` },
      dispatcher,
    } as RequestInit);
    await dispatcher.close();
    expect(response.status).toBe(200);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});

describe("a TypeScript consumer type-checks against the installed types", () => {
  const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
  const common = { strict: true, noEmit: true, skipLibCheck: true, target: "es2022", lib: ["es2023"], types: ["node"] };

  function typecheck(name: string, options: Record<string, string>, files: string[]) {
    const source = readFileSync(join(FIXTURES, "typed-consumer.ts"), "utf8");
    for (const file of files) {
      writeFileSync(join(installed.consumerDir, file), source);
    }
    const config = { compilerOptions: { ...common, ...options }, files };
    writeFileSync(join(installed.consumerDir, `tsconfig.${name}.json`), JSON.stringify(config));
    const result = spawnSync(process.execPath, [tsc, "-p", `tsconfig.${name}.json`], {
      cwd: installed.consumerDir,
      encoding: "utf8",
      env: cleanEnv(),
    });
    expect(`${result.stdout}${result.stderr}`).toBe("");
    expect(result.status).toBe(0);
  }

  it("with moduleResolution node16, as ESM (.mts) and as CommonJS (.cts)", () => {
    typecheck("node16", { module: "node16", moduleResolution: "node16" }, ["typed.mts", "typed.cts"]);
  });

  it("with moduleResolution bundler", () => {
    typecheck("bundler", { module: "esnext", moduleResolution: "bundler" }, ["typed.ts"]);
  });
});
