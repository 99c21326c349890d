// Builds the Dockerfile without a container engine: every instruction runs as Docker would run it,
// in a plain directory that stands for each stage's root filesystem.
//
//   node scripts/image-build.ts [--out DIR] [--context DIR]      prints the image config as JSON
//   (default --out: a new temporary directory; the root filesystem is <out>/<last stage>)
//
// FROM gives a stage an empty root whose base image is this machine: its Node (the project's
// Node 24, linked as usr/local/bin/node in the root) and its shell and tools. ARG, WORKDIR, COPY
// (from the build context filtered by .dockerignore, or --from an earlier stage), RUN (sh -c in
// the stage's WORKDIR), ENV, USER, VOLUME, EXPOSE, LABEL, ENTRYPOINT and CMD are interpreted;
// anything else is refused. Absolute paths in WORKDIR, COPY and ENTRYPOINT are taken inside the
// stage's root; a RUN step cannot be redirected that way, so it may not name an absolute path
// (the Dockerfile keeps its RUN steps relative to WORKDIR). `imageCommand` then gives the command
// line, working directory and environment that start a container of the final stage.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, matchesGlob, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Bound on one RUN step (npm install of the production dependencies takes ~30 s warm). */
export const RUN_TIMEOUT_MS = 15 * 60_000;

export interface ImageConfig {
  /** Directory standing for the final stage's root filesystem. */
  readonly rootfs: string;
  readonly workdir: string;
  readonly env: Readonly<Record<string, string>>;
  readonly user: string;
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  readonly volumes: readonly string[];
  readonly exposed: readonly string[];
  /** Instructions interpreted, in order, for the record. */
  readonly steps: readonly string[];
}

interface Stage {
  readonly name: string;
  readonly root: string;
  workdir: string;
  env: Record<string, string>;
  user: string;
  entrypoint: string[];
  cmd: string[];
  volumes: string[];
  exposed: string[];
}

export class DockerfileError extends Error {
  override name = 'DockerfileError';
}

/** Dockerfile lines joined across backslash continuations, without comments and blank lines. */
export function instructions(text: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (current === '' && (line.trim() === '' || line.trim().startsWith('#'))) continue;
    if (current !== '' && line.trim().startsWith('#')) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    out.push((current + line).trim());
    current = '';
  }
  if (current !== '') out.push(current.trim());
  return out;
}

/** .dockerignore patterns: a path is excluded when the last pattern matching it or a parent is not negated. */
export function dockerignore(text: string): (path: string) => boolean {
  const patterns = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => ({ negate: l.startsWith('!'), glob: l.replace(/^!/, '').replace(/^\/+/, '').replace(/\/+$/, '') }));
  return (path: string) => {
    const parts = path.split('/');
    let excluded = false;
    for (const { negate, glob } of patterns) {
      for (let i = 1; i <= parts.length; i++) {
        if (matchesGlob(parts.slice(0, i).join('/'), glob)) {
          excluded = !negate;
          break;
        }
      }
    }
    return excluded;
  };
}

function substitute(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (_m, a: string | undefined, b: string | undefined) => {
    const name = (a ?? b) as string;
    return vars[name] ?? '';
  });
}

function jsonArray(text: string, what: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  } catch {
    // refused below
  }
  throw new DockerfileError(`${what} must use the exec form (a JSON array of strings): ${text}`);
}

/** KEY=VALUE pairs of ENV/ARG/LABEL (values may be "quoted"). */
function pairs(text: string): [string, string][] {
  const out: [string, string][] = [];
  const re = /(\w[\w.-]*)=("([^"]*)"|(\S*))/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out.push([m[1] as string, m[3] ?? m[4] ?? '']);
  if (out.length === 0) throw new DockerfileError(`expected KEY=VALUE: ${text}`);
  return out;
}

/** Where an absolute image path lives in a stage's root directory. */
export function inRoot(root: string, path: string): string {
  if (!path.startsWith('/')) throw new DockerfileError(`not an absolute path: ${path}`);
  return join(root, path);
}

function copyFiltered(from: string, to: string, keep: (rel: string) => boolean, rel: string): number {
  const info = lstatSync(from);
  if (info.isSymbolicLink()) {
    // Kept a link, as COPY keeps it (node_modules/.bin).
    if (!keep(rel)) return 0;
    mkdirSync(dirname(to), { recursive: true });
    symlinkSync(readlinkSync(from), to);
    return 1;
  }
  if (!info.isDirectory()) {
    if (!keep(rel)) return 0;
    mkdirSync(dirname(to), { recursive: true });
    cpSync(from, to, { preserveTimestamps: true });
    return 1;
  }
  let files = 0;
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from)) {
    const childRel = rel === '' ? entry : `${rel}/${entry}`;
    if (!keep(childRel)) continue;
    files += copyFiltered(join(from, entry), join(to, entry), keep, childRel);
  }
  return files;
}

/** The environment a RUN step or a container sees: image ENV with absolute PATH entries in the root. */
function processEnv(stage: Stage): NodeJS.ProcessEnv {
  const path = (stage.env.PATH ?? '')
    .split(':')
    .filter((p) => p !== '')
    .map((p) => (p.startsWith('/') && !isBasePath(p) ? inRoot(stage.root, p) : p));
  return { ...stage.env, PATH: [inRoot(stage.root, '/usr/local/bin'), ...path].join(':') };
}

/** System directories of the base image, which this machine provides. */
const BASE_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const isBasePath = (p: string) => BASE_PATH.includes(p);

function newStage(name: string, root: string): Stage {
  mkdirSync(inRoot(root, '/usr/local/bin'), { recursive: true });
  // The base image's Node: this machine's (the project's Node 24), copied in so that a user
  // without access to where it is installed can run it.
  copyFileSync(process.execPath, inRoot(root, '/usr/local/bin/node'));
  chmodSync(inRoot(root, '/usr/local/bin/node'), 0o755);
  return {
    name,
    root,
    workdir: '/',
    env: { PATH: BASE_PATH.join(':') },
    user: 'root',
    entrypoint: [],
    cmd: [],
    volumes: [],
    exposed: [],
  };
}

export interface BuildOptions {
  /** Empty directory to build in (one subdirectory per stage). */
  readonly out: string;
  readonly context?: string;
  readonly dockerfile?: string;
  /** Progress lines (default: none). */
  readonly log?: (line: string) => void;
}

export function buildImage(options: BuildOptions): ImageConfig {
  const context = resolve(options.context ?? ROOT);
  const log = options.log ?? (() => {});
  const text = readFileSync(options.dockerfile ?? join(context, 'Dockerfile'), 'utf8');
  const ignorePath = join(context, '.dockerignore');
  const ignored = existsSync(ignorePath) ? dockerignore(readFileSync(ignorePath, 'utf8')) : () => false;
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  const steps: string[] = [];
  let stage: Stage | undefined;
  const current = (): Stage => {
    if (stage === undefined) throw new DockerfileError('an instruction before the first FROM');
    return stage;
  };
  for (const line of instructions(text)) {
    const space = line.search(/\s/);
    const op = (space < 0 ? line : line.slice(0, space)).toUpperCase();
    const rest = space < 0 ? '' : line.slice(space + 1).trim();
    steps.push(line);
    log(`[${stage?.name ?? '-'}] ${line}`);
    switch (op) {
      case 'ARG': {
        const [name, value] = rest.split('=', 2) as [string, string | undefined];
        if (args[name] === undefined || value !== undefined) args[name] = value ?? '';
        if (stage !== undefined) stage.env[name] ??= args[name] ?? '';
        break;
      }
      case 'FROM': {
        const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(substitute(rest, args));
        if (m === null) throw new DockerfileError(`FROM: ${rest}`);
        const image = m[1] as string;
        if (!/^node:24(-slim)?$/.test(image)) {
          throw new DockerfileError(
            `FROM ${image}: only node:24-slim (this machine's Node 24) can stand in for a base`,
          );
        }
        const name = m[2] ?? `stage${stages.length}`;
        const root = join(options.out, name);
        mkdirSync(root, { recursive: true });
        stage = newStage(name, root);
        stages.push(stage);
        break;
      }
      case 'WORKDIR': {
        const s = current();
        const dir = substitute(rest, s.env);
        s.workdir = dir.startsWith('/') ? dir : join(s.workdir, dir);
        mkdirSync(inRoot(s.root, s.workdir), { recursive: true });
        break;
      }
      case 'COPY': {
        const s = current();
        const words = rest.split(/\s+/);
        let from: Stage | undefined;
        while (words[0]?.startsWith('--')) {
          const flag = words.shift() as string;
          const m = /^--from=(\S+)$/.exec(flag);
          if (m !== null) {
            from = stages.find((x) => x.name === m[1]);
            if (from === undefined) throw new DockerfileError(`COPY --from=${m[1]}: no such stage`);
          } else if (!flag.startsWith('--chown=') && !flag.startsWith('--chmod=')) {
            throw new DockerfileError(`COPY ${flag}: not supported`);
          }
        }
        const dest = words.pop();
        if (dest === undefined || words.length === 0)
          throw new DockerfileError(`COPY needs a source and a destination`);
        const target = inRoot(s.root, dest.startsWith('/') ? dest : join(s.workdir, dest));
        for (const source of words) {
          const src = from === undefined ? join(context, source) : inRoot(from.root, source);
          if (!existsSync(src)) throw new DockerfileError(`COPY ${source}: not found`);
          const rel = from === undefined ? relative(context, src) : '';
          if (from === undefined && ignored(rel))
            throw new DockerfileError(`COPY ${source}: excluded by .dockerignore`);
          const isDir = statSync(src).isDirectory();
          const to = isDir || !dest.endsWith('/') ? target : join(target, source.split('/').pop() as string);
          const keep = from === undefined ? (r: string) => !ignored(r === '' ? rel : join(rel, r)) : () => true;
          const files = isDir ? copyFiltered(src, to, (r) => keep(r), '') : copyFiltered(src, to, () => keep(''), '');
          log(`  ${files} file(s) → ${relative(s.root, to)}`);
        }
        break;
      }
      case 'RUN': {
        const s = current();
        const command = rest;
        if (/(^|[\s=:;&|('"])\/(?!dev\/null)/.test(command)) {
          throw new DockerfileError(`RUN names an absolute path, which this build cannot redirect: ${command}`);
        }
        // As root in the build, whose home is /root (of the stage). The build machine's own
        // environment comes first, as a builder's network settings (proxy, CA) reach RUN steps.
        const home = inRoot(s.root, '/root');
        mkdirSync(home, { recursive: true });
        execFileSync('sh', ['-c', command], {
          cwd: inRoot(s.root, s.workdir),
          env: { ...process.env, ...processEnv(s), HOME: home },
          stdio: ['ignore', 'inherit', 'inherit'],
          timeout: RUN_TIMEOUT_MS,
        });
        break;
      }
      case 'ENV': {
        const s = current();
        for (const [k, v] of pairs(rest)) s.env[k] = substitute(v, s.env);
        break;
      }
      case 'USER':
        current().user = rest;
        break;
      case 'VOLUME':
        current().volumes.push(...(rest.startsWith('[') ? jsonArray(rest, 'VOLUME') : rest.split(/\s+/)));
        break;
      case 'EXPOSE':
        current().exposed.push(...rest.split(/\s+/));
        break;
      case 'LABEL':
        pairs(rest);
        break;
      case 'ENTRYPOINT':
        current().entrypoint = jsonArray(rest, 'ENTRYPOINT');
        current().cmd = [];
        break;
      case 'CMD':
        current().cmd = jsonArray(rest, 'CMD');
        break;
      default:
        throw new DockerfileError(`${op}: not supported by this build`);
    }
  }
  const last = current();
  return {
    rootfs: last.root,
    workdir: last.workdir,
    env: { ...last.env },
    user: last.user,
    entrypoint: last.entrypoint,
    cmd: last.cmd,
    volumes: last.volumes,
    exposed: last.exposed,
    steps,
  };
}

export interface ContainerCommand {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * How `docker run IMAGE [args...]` starts the final stage: ENTRYPOINT (its program inside the root)
 * plus the args or, without any, CMD; in WORKDIR with the image's ENV (PATH entries inside the root).
 */
export function imageCommand(
  image: ImageConfig,
  args: readonly string[] = [],
  env: Readonly<Record<string, string>> = {},
): ContainerCommand {
  const [program, ...entryArgs] = image.entrypoint;
  if (program === undefined) throw new DockerfileError('the image has no ENTRYPOINT');
  const stage = { ...image, root: image.rootfs, env: { ...image.env } } as unknown as Stage;
  return {
    file: program.startsWith('/') ? inRoot(image.rootfs, program) : program,
    args: [...entryArgs, ...(args.length > 0 ? args : image.cmd)],
    cwd: inRoot(image.rootfs, image.workdir),
    env: { ...processEnv(stage), ...env },
  };
}

function main(): void {
  const flag = (name: string) => {
    const i = process.argv.indexOf(name);
    return i < 0 ? undefined : process.argv[i + 1];
  };
  const out = resolve(flag('--out') ?? mkdtempSync(join(tmpdir(), 'wharf-image-')));
  if (existsSync(out) && readdirSync(out).length > 0) {
    console.error(`${out} is not empty; give an empty or new --out directory`);
    process.exit(2);
  }
  mkdirSync(out, { recursive: true });
  const image = buildImage({ out, context: flag('--context') ?? ROOT, log: (l) => console.error(l) });
  console.log(JSON.stringify(image, null, 2));
}

if (import.meta.url === `file://${process.argv[1]}`) main();
