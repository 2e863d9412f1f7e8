import { IDisposable } from '@lumino/disposable';
import { IPoll, Poll } from '@lumino/polling';

/** A view of a poll's data (a sidebar section, a tab): the poll runs only while one is visible. */
export interface IPollView extends IDisposable {
  setVisible(visible: boolean): void;
}

/**
 * A poll that runs only while someone looks: it starts when its first view
 * becomes visible, stands by while no view is visible (and while the browser
 * tab is hidden), ticks every `interval()` milliseconds while something is
 * active and `idleFactor` times less often otherwise, and backs off on errors.
 * `refresh()` never runs the factory twice at once: a refresh asked for during
 * a tick runs once, right after it.
 */
export class VisibilityPoll implements IDisposable {
  constructor(options: VisibilityPoll.IOptions) {
    this._factory = options.factory;
    this._interval = options.interval;
    this._idleFactor = options.idleFactor ?? 4;
    this._poll = new Poll({
      auto: false,
      factory: () =>
        Date.now() - this._lastRun < 1000 ? Promise.resolve() : this._run(),
      frequency: this._frequency(),
      name: options.name,
      standby: () => (this._visible > 0 ? 'when-hidden' : true)
    });
  }

  /** Whether a view is visible now. */
  get isVisible(): boolean {
    return this._visible > 0;
  }

  /** Whether the poll has run (or is running) its first tick. */
  get isStarted(): boolean {
    return this._started;
  }

  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  /** A new view; the poll starts the first time one is visible. */
  addView(): IPollView {
    let visible = false;
    let disposed = false;
    return {
      setVisible: (value: boolean) => {
        if (disposed || value === visible) {
          return;
        }
        visible = value;
        this._visible += value ? 1 : -1;
        if (value) {
          this._onShown();
        }
      },
      get isDisposed() {
        return disposed;
      },
      dispose: () => {
        if (!disposed) {
          if (visible) {
            this._visible--;
          }
          disposed = true;
        }
      }
    };
  }

  /** Something is moving (a running execution): tick at the interval rather than the idle one. */
  setActive(active: boolean): void {
    if (active !== this._active) {
      this._active = active;
      this._poll.frequency = this._frequency();
      if (
        active &&
        !this._poll.isDisposed &&
        this._poll.state.phase !== 'constructed'
      ) {
        // The next tick was planned at the idle interval: bring it forward.
        void this._poll.schedule({
          interval: this._poll.frequency.interval,
          phase: 'resolved'
        });
      }
    }
  }

  /** Read the interval again (the setting changed). */
  updateInterval(): void {
    this._poll.frequency = this._frequency();
  }

  /**
   * Run the factory now, visible or not (a command needs the data); resolves
   * when that run is over. During a run, it runs once more right after it.
   */
  refresh(): Promise<void> {
    this._started = true;
    return this._run();
  }

  dispose(): void {
    this._poll.dispose();
  }

  private _frequency(): IPoll.Frequency {
    const interval = Math.max(1000, this._interval());
    const current = this._active ? interval : interval * this._idleFactor;
    return { interval: current, backoff: true, max: current * 8 };
  }

  private _onShown(): void {
    if (this._poll.state.phase === 'constructed') {
      // The first time a view is shown: run now (unless a run just happened), then every interval.
      this._started = true;
      void this._poll.start();
    } else if (Date.now() - this._lastRun > this._interval()) {
      // Shown after a while: what it shows may be stale.
      void this.refresh();
    }
  }

  /** The factory, never twice at once: asked during a run, it runs once more after it. */
  private _run(): Promise<void> {
    if (this._running) {
      if (!this._next) {
        this._next = this._running
          .catch(() => undefined)
          .then(() => {
            this._next = null;
            return this._run();
          });
      }
      return this._next;
    }
    const running = this._factory().finally(() => {
      this._running = null;
      this._lastRun = Date.now();
    });
    this._running = running;
    return running;
  }

  private _factory: () => Promise<void>;
  private _interval: () => number;
  private _idleFactor: number;
  private _poll: Poll;
  private _visible = 0;
  private _active = false;
  private _started = false;
  private _running: Promise<void> | null = null;
  private _next: Promise<void> | null = null;
  private _lastRun = 0;
}

export namespace VisibilityPoll {
  export interface IOptions {
    /** A name for the poll (shows in debugging). */
    name: string;
    /** Loads what the views show; a rejection backs the poll off. */
    factory: () => Promise<void>;
    /** Milliseconds between ticks while active (read again on `updateInterval()`). */
    interval: () => number;
    /** How many times longer the interval is while nothing is active (default 4). */
    idleFactor?: number;
  }
}
