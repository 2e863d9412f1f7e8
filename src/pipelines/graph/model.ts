import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { MLOpsError, toMLOpsError } from '../../core/errors';
import { LogTail } from '../../core/pipelines/logs';
import type { PipelineService } from '../../core/pipelines/service';
import { IExecution, IPipelineGraph, IStep } from '../../core/pipelines/types';
import { isActive } from '../../core/status';
import { IPollView, VisibilityPoll } from '../../shared/poll';
import { IMLOpsConnection } from '../../tokens';
import { ILaidOutGraph, layoutGraph } from './layout';

/** A log event of a step's job. */
export interface ILogEvent {
  timestamp: number;
  message: string;
}

/**
 * Where the selected step's log is: nothing selected, a step without a job,
 * waiting for its first events, events shown, none written by a finished
 * step, or reading failed.
 */
export type LogState =
  'none' | 'no-job' | 'waiting' | 'reading' | 'empty' | 'error';

/** The most log events kept in the tab. */
const MAX_LOG_EVENTS = 5000;

/**
 * State of one execution tab: the definition's graph, live steps, the
 * selected step and its log. Both polls run only while the tab is visible,
 * at the refresh interval of the settings (the log six times as often while
 * its step runs); a finished execution is not polled again.
 */
export class ExecutionGraphModel implements IDisposable {
  constructor(options: {
    executionArn: string;
    pipelineName: string;
    connection: IMLOpsConnection;
    service: () => Promise<PipelineService>;
  }) {
    this.executionArn = options.executionArn;
    this.pipelineName = options.pipelineName;
    this._connection = options.connection;
    this._service = options.service;
    const interval = () => this._connection.refreshInterval * 1000;
    this._poll = new VisibilityPoll({
      name: 'sagemaker-mlops:execution',
      factory: () => this._refresh(),
      interval
    });
    this._logPoll = new VisibilityPoll({
      name: 'sagemaker-mlops:step-log',
      factory: () => this._readLog(),
      interval: () => Math.max(2000, interval() / 6)
    });
    this._connection.changed.connect(this._onSettings, this);
  }

  readonly executionArn: string;
  readonly pipelineName: string;

  get graph(): IPipelineGraph | null {
    return this._graph;
  }
  get layout(): ILaidOutGraph | null {
    return this._layout;
  }
  get execution(): IExecution | null {
    return this._execution;
  }
  get steps(): ReadonlyMap<string, IStep> {
    return this._steps;
  }
  get selected(): string | null {
    return this._selected;
  }
  get log(): readonly ILogEvent[] {
    return this._log;
  }
  get logState(): LogState {
    return this._logState;
  }
  get logError(): MLOpsError | null {
    return this._logError;
  }
  get follow(): boolean {
    return this._follow;
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

  /** A view of this tab; the polls run while it is visible. */
  addView(): IPollView {
    const views = [this._poll.addView(), this._logPoll.addView()];
    return {
      setVisible: visible => views.forEach(v => v.setVisible(visible)),
      get isDisposed() {
        return views[0].isDisposed;
      },
      dispose: () => views.forEach(v => v.dispose())
    };
  }

  refresh(): Promise<void> {
    this._done = false;
    return this._poll.refresh();
  }

  select(name: string | null): void {
    this._selected = name;
    this._log = [];
    this._tail = null;
    this._logError = null;
    const job = name ? this._steps.get(name)?.job : undefined;
    this._logState = !name ? 'none' : job ? 'waiting' : 'no-job';
    this._changed.emit();
    if (job) {
      const tail = this._connection
        .clients()
        .then(clients => new LogTail(clients, job));
      this._tail = tail;
      void this._logPoll.refresh();
    }
  }

  /** Read the selected step's log again after a failure. */
  retryLog(): void {
    if (this._selected) {
      this.select(this._selected);
    }
  }

  setFollow(follow: boolean): void {
    this._follow = follow;
    this._changed.emit();
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._poll.dispose();
    this._logPoll.dispose();
    Signal.clearData(this);
  }

  private _onSettings(): void {
    this._poll.updateInterval();
    this._logPoll.updateInterval();
  }

  private async _refresh(): Promise<void> {
    if (this._done) {
      return; // a finished execution does not change
    }
    try {
      const service = await this._service();
      if (!this._graph) {
        const definition = await service.getDefinition(this.executionArn);
        this._graph = definition.graph;
        this._layout = layoutGraph(definition.graph);
      }
      const [execution, steps] = await Promise.all([
        service.describeExecution(this.executionArn),
        service.listSteps(this.executionArn)
      ]);
      this._execution = execution;
      this._steps = new Map(steps.map(step => [step.name, step]));
      this._error = null;
      this._done = !isActive(execution.status);
      this._poll.setActive(!this._done);
    } catch (error) {
      this._error = toMLOpsError(error, 'DescribePipelineExecution');
      throw this._error;
    } finally {
      this._changed.emit();
    }
  }

  private async _readLog(): Promise<void> {
    const pending = this._tail;
    if (!pending) {
      return;
    }
    const step = this._selected ? this._steps.get(this._selected) : undefined;
    try {
      const chunk = await (await pending).next();
      if (pending !== this._tail) {
        return; // another step was selected meanwhile
      }
      if (chunk.events.length) {
        this._log = [...this._log, ...chunk.events].slice(-MAX_LOG_EVENTS);
        this._logState = 'reading';
      }
      this._logError = null;
      if (step && !isActive(step.status)) {
        // The step had ended before this read: its log is complete.
        this._tail = null;
        if (!this._log.length) {
          this._logState = 'empty';
        }
      }
      this._logPoll.setActive(true);
    } catch (error) {
      if (pending === this._tail) {
        this._logError = toMLOpsError(error, 'GetLogEvents');
        this._logState = 'error';
        this._tail = null;
      }
    } finally {
      this._changed.emit();
    }
  }

  private _connection: IMLOpsConnection;
  private _service: () => Promise<PipelineService>;
  private _poll: VisibilityPoll;
  private _logPoll: VisibilityPoll;
  private _graph: IPipelineGraph | null = null;
  private _layout: ILaidOutGraph | null = null;
  private _execution: IExecution | null = null;
  private _steps = new Map<string, IStep>();
  private _selected: string | null = null;
  private _log: ILogEvent[] = [];
  private _logState: LogState = 'none';
  private _logError: MLOpsError | null = null;
  private _tail: Promise<LogTail> | null = null;
  private _follow = true;
  private _error: MLOpsError | null = null;
  private _done = false;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
}
