import { type Catalog, loadCatalog, userProfileDirs } from '../io/catalog.js';
import type { CliIo } from './io.js';

export interface GlobalOptions {
  readonly profiles: string[];
  readonly color: boolean;
}

/** What every command gets: the I/O, the global flags, and the catalog (loaded on first use). */
export class Context {
  #catalog: Catalog | undefined;
  constructor(
    readonly io: CliIo,
    readonly globals: GlobalOptions,
  ) {}

  catalog(): Catalog {
    this.#catalog ??= loadCatalog(userProfileDirs(this.globals.profiles, this.io.env), this.io.today);
    return this.#catalog;
  }
}
