// Reads resource YAML from files and directories (every *.yaml and *.yml below a directory, in
// name order) and parses it with resources.ts.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  combineResources,
  type ParsedResources,
  parseResources,
  ResourceError,
  type ResourceIssue,
} from './resources.ts';

/** Thrown for a path that cannot be read; the message names it. */
export class ResourcePathError extends Error {
  override name = 'ResourcePathError';
}

const YAML_FILE = /\.ya?ml$/i;

async function yamlFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await yamlFilesUnder(path)));
    else if (entry.isFile() && YAML_FILE.test(entry.name)) files.push(path);
  }
  return files;
}

/** The files a list of paths stands for: files as given, directories expanded. */
export async function expandResourcePaths(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch {
      throw new ResourcePathError(`${path}: no such file or directory`);
    }
    if (info.isDirectory()) {
      const found = await yamlFilesUnder(path);
      if (found.length === 0) throw new ResourcePathError(`${path}: no *.yaml or *.yml files in this directory`);
      files.push(...found);
    } else files.push(path);
  }
  return [...new Set(files)];
}

export interface LoadedResources extends ParsedResources {
  readonly files: readonly string[];
}

/** Reads and parses every file; throws ResourceError (all problems of all files) or ResourcePathError. */
export async function loadResourceFiles(paths: readonly string[]): Promise<LoadedResources> {
  const files = await expandResourcePaths(paths);
  const parts: ParsedResources[] = [];
  const issues: ResourceIssue[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new ResourcePathError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    try {
      parts.push(parseResources(text, file));
    } catch (error) {
      if (!(error instanceof ResourceError)) throw error;
      issues.push(...error.issues);
    }
  }
  if (issues.length > 0) throw new ResourceError(issues);
  return { ...combineResources(parts), files };
}
