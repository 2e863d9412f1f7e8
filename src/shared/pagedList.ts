import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { MLOpsError, toMLOpsError } from '../core/errors';
import type { IPage } from '../core/types';

/**
 * A list paginated on the wire: the items loaded so far, the token of the
 * next page, a filter, and the loading and error state. `reload()` reads the
 * first pages again (as many items as are shown, so a refresh never shrinks
 * what the user scrolled to) and keeps the items on screen until the answer
 * arrives; an answer for an older filter or reload is dropped.
 */
export class PagedList<T, F = undefined> implements IDisposable {
  constructor(options: PagedList.IOptions<T, F>) {
    this._fetch = options.fetch;
    this._filter = options.filter;
    this._pageSize = options.pageSize ?? 20;
    this._operation = options.operation;
  }

  get items(): readonly T[] {
    return this._items;
  }
  get nextToken(): string | undefined {
    return this._nextToken;
  }
  get filter(): F {
    return this._filter;
  }
  /** A request is under way. */
  get loading(): boolean {
    return this._loading;
  }
  /** The first page has arrived at least once. */
  get loaded(): boolean {
    return this._loaded;
  }
  get error(): MLOpsError | null {
    return this._error;
  }
  get changed(): ISignal<this, void> {
    return this._changed;
  }
  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Read the first page(s) again. */
  async reload(): Promise<void> {
    const size = Math.max(this._pageSize, this._items.length);
    await this._load(undefined, size, false);
  }

  /** Append the next page; nothing when there is none or a request is under way. */
  async loadMore(): Promise<void> {
    if (!this._nextToken || this._loading) {
      return;
    }
    await this._load(this._nextToken, this._pageSize, true);
  }

  /** A new filter: the items go, the first page of the new filter is read. */
  async setFilter(filter: F): Promise<void> {
    this._filter = filter;
    this._items = [];
    this._nextToken = undefined;
    this._loaded = false;
    await this._load(undefined, this._pageSize, false);
  }

  dispose(): void {
    if (!this._disposed) {
      this._disposed = true;
      this._generation++;
      Signal.clearData(this);
    }
  }

  private async _load(
    nextToken: string | undefined,
    pageSize: number,
    append: boolean
  ): Promise<void> {
    const generation = ++this._generation;
    this._loading = true;
    this._changed.emit();
    try {
      const page = await this._fetch({
        nextToken,
        pageSize,
        filter: this._filter
      });
      if (generation !== this._generation) {
        return;
      }
      this._items = append ? [...this._items, ...page.items] : page.items;
      this._nextToken = page.nextToken;
      this._loaded = true;
      this._error = null;
    } catch (error) {
      if (generation !== this._generation) {
        return;
      }
      // Kept in `error` (the items stay): callers read it rather than catch.
      this._error = toMLOpsError(error, this._operation);
    } finally {
      if (generation === this._generation) {
        this._loading = false;
        this._changed.emit();
      }
    }
  }

  private _fetch: PagedList.Fetch<T, F>;
  private _filter: F;
  private _pageSize: number;
  private _operation?: string;
  private _items: T[] = [];
  private _nextToken: string | undefined;
  private _loading = false;
  private _loaded = false;
  private _error: MLOpsError | null = null;
  private _generation = 0;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
}

export namespace PagedList {
  export interface IRequest<F> {
    nextToken?: string;
    pageSize: number;
    filter: F;
  }
  export type Fetch<T, F> = (request: IRequest<F>) => Promise<IPage<T>>;
  export interface IOptions<T, F> {
    fetch: Fetch<T, F>;
    filter: F;
    /** Items a page asks for (default 20). */
    pageSize?: number;
    /** The AWS operation behind `fetch`, named in its errors. */
    operation?: string;
  }
}
