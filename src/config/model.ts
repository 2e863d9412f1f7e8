import { ISignal, Signal } from '@lumino/signaling';

import { MLOpsError, toMLOpsError } from '../core/errors';
import { hunks, IHunk, lineDiff, reapply } from '../core/config/merge';
import {
  ConfigConflict,
  ConfigService,
  IConfigLocation,
  IPullRequest
} from '../core/config/service';
import { RawValidator, validateConfig } from '../core/config/validate';
import {
  applyValue,
  ConfigFormat,
  DEFAULT_LIMITS,
  formatOf,
  IConfigLimits,
  IConfigProblem,
  IParsedConfig,
  parseConfig,
  pointerKeys
} from '../core/config/yaml';

/** What the server says about configuration files: which schema checks which file, and the parse limits. */
export interface ISchemaSet {
  files: {
    pattern: string;
    format?: ConfigFormat;
    source?: string;
    schema: object;
  }[];
  limits?: Partial<IConfigLimits>;
}

/** An edit kept in the browser's storage until it is committed or discarded. */
export interface IDraft {
  text: string;
  /** The text and commit the edit started from. */
  baseText: string;
  baseCommitId: string;
  savedAt: number;
}

export type EditorMode = 'edit' | 'review' | 'conflict';

export interface IConflict {
  theirsText: string;
  headCommitId: string;
}

export interface ICommitted {
  commitId: string;
  branch: string;
  pullRequest: IPullRequest | null;
  /** Why opening the pull request failed (the commit itself landed). */
  pullRequestError: MLOpsError | null;
}

/** A local file (a clone's) edited instead of the repository's copy. */
export interface ILocalFile {
  path: string;
  read(): Promise<string>;
  write(text: string): Promise<void>;
}

const PLACEHOLDER = '<project-bucket>';

/**
 * One configuration file being edited: its text (the one truth; the form and
 * the text view both write it), what it parses to, its problems, the commit
 * it was read at, and the review / conflict / commit steps.
 */
export class ConfigEditorModel {
  constructor(
    private readonly options: {
      service: ConfigService;
      schemas: ISchemaSet;
      validate: RawValidator;
      location: IConfigLocation;
      local?: ILocalFile | null;
      storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
      projectBucket?: () => Promise<string | null>;
      now?: () => number;
    }
  ) {
    this._location = { ...options.location };
    this._parsed = parseConfig('', this.format, this.limits);
  }

  get location(): IConfigLocation {
    return this._location;
  }
  get local(): ILocalFile | null {
    return this.options.local ?? null;
  }
  get format(): ConfigFormat {
    return formatOf(this._location.path);
  }
  get limits(): IConfigLimits {
    return { ...DEFAULT_LIMITS, ...(this.options.schemas.limits ?? {}) };
  }
  /** The schema of this file, or null when no schema names it. */
  get schema(): object | null {
    const name = this._location.path.split('/').pop() ?? '';
    const entry = this.options.schemas.files.find(f =>
      globMatch(f.pattern, name)
    );
    return entry?.schema ?? null;
  }

  get mode(): EditorMode {
    return this._mode;
  }
  get loading(): boolean {
    return this._loading;
  }
  get busy(): boolean {
    return this._busy;
  }
  get error(): MLOpsError | null {
    return this._error;
  }
  get text(): string {
    return this._text;
  }
  get baseText(): string {
    return this._baseText;
  }
  get baseCommitId(): string {
    return this._baseCommitId;
  }
  get exists(): boolean {
    return this._exists;
  }
  get parsed(): IParsedConfig {
    return this._parsed;
  }
  /** The data when the text parses, else undefined. */
  get data(): unknown {
    return this._parsed.data;
  }
  get problems(): IConfigProblem[] {
    return this._problems;
  }
  get errors(): IConfigProblem[] {
    return this._problems.filter(p => p.severity === 'error');
  }
  get warnings(): IConfigProblem[] {
    return this._problems.filter(p => p.severity === 'warning');
  }
  get dirty(): boolean {
    return this._text !== this._baseText;
  }
  /** The draft restored when the file was opened, until it is committed or discarded. */
  get restoredDraft(): IDraft | null {
    return this._restored;
  }
  get conflict(): IConflict | null {
    return this._conflict;
  }
  get committed(): ICommitted | null {
    return this._committed;
  }
  /** Milliseconds the last parse and validation took. */
  get lastValidationMs(): number {
    return this._lastValidationMs;
  }
  /** The project bucket, once looked up (for the placeholder fix). */
  get projectBucket(): string | null {
    return this._bucket;
  }
  /** The values still holding the scaffolding's placeholder. */
  get placeholders(): IConfigProblem[] {
    return this.errors.filter(p => p.message.includes(PLACEHOLDER));
  }

  /** Why the text cannot be committed now, or null when it can. */
  get blocker():
    'loading' | 'unchanged' | 'parse' | 'invalid' | 'noSchema' | 'busy' | null {
    if (this._loading) {
      return 'loading';
    }
    if (this._busy) {
      return 'busy';
    }
    if (!this.schema) {
      return 'noSchema';
    }
    if (this._parsed.problems.length) {
      return 'parse';
    }
    if (this.errors.length) {
      return 'invalid';
    }
    if (!this.dirty && !this.local) {
      return 'unchanged';
    }
    return null;
  }

  /** Emitted on every change of state. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }
  /** Emitted when the text changes from elsewhere than the text view (form, re-apply, reload). */
  get textReplaced(): ISignal<this, string> {
    return this._textReplaced;
  }

  /** Read the file at the branch head (and the local file in local mode); restore a draft if one is kept. */
  async load(): Promise<void> {
    this._loading = true;
    this._error = null;
    this._changed.emit();
    try {
      const file = await this.options.service.read(this._location);
      this._baseText = file.text;
      this._baseCommitId = file.commitId;
      this._exists = file.exists;
      let text = file.text;
      if (this.local) {
        text = await this.local.read();
      }
      const draft = this.readDraft();
      this._restored = null;
      this._conflict = null;
      this._mode = 'edit';
      if (draft && draft.text !== text) {
        this._restored = draft;
        if (draft.baseCommitId !== file.commitId && !this.local) {
          // The branch moved since the draft was started: their change and
          // the user's edit are shown side by side before anything else.
          this._baseText = draft.baseText;
          this._baseCommitId = draft.baseCommitId;
          this._conflict = {
            theirsText: file.text,
            headCommitId: file.commitId
          };
          this._mode = 'conflict';
        }
        text = draft.text;
      }
      this.setTextInternal(text);
      this._textReplaced.emit(this._text);
    } catch (error) {
      this._error = toMLOpsError(error, 'GetFile');
    } finally {
      this._loading = false;
      this._changed.emit();
    }
  }

  /** Open another branch (an unsaved edit of this one stays in its draft). */
  async switchBranch(branch: string): Promise<void> {
    if (branch === this._location.branch) {
      return;
    }
    this._location = { ...this._location, branch };
    this._committed = null;
    await this.load();
  }

  /** The text view changed. */
  setText(text: string): void {
    if (text === this._text) {
      return;
    }
    this.setTextInternal(text);
    this._changed.emit();
  }

  /** The form changed the value at `keys` (undefined removes it): the smallest text edit. */
  setValue(keys: (string | number)[], value: unknown): void {
    const text = applyValue(this._text, keys, value);
    if (text !== this._text) {
      this.setTextInternal(text);
      this._textReplaced.emit(text);
      this._changed.emit();
    }
  }

  /**
   * The form's whole new value: every leaf changed since `base` (what the form
   * showed; default the current data) applied as its own edit, so a change
   * made meanwhile in the text view is kept.
   */
  setData(data: unknown, base?: unknown): void {
    const before = base === undefined ? this._parsed.data : base;
    if (before === undefined || this._parsed.data === undefined) {
      return;
    }
    let text = this._text;
    for (const [keys, value] of changesBetween(before, data)) {
      text = applyValue(text, keys, value);
    }
    if (text !== this._text) {
      this.setTextInternal(text);
      this._textReplaced.emit(text);
      this._changed.emit();
    }
  }

  /** Look up the project bucket (`.project_params.yaml`, else the server's SSM read). */
  async lookUpBucket(): Promise<string | null> {
    if (this._bucket) {
      return this._bucket;
    }
    try {
      const { bucketOfProjectParams } = await import('../core/config/service');
      const dir = this._location.path.includes('/')
        ? this._location.path.replace(/\/[^/]*$/, '/')
        : '';
      const params = await this.options.service.textAt(
        this._location.repository,
        this._baseCommitId || this._location.branch,
        `${dir}.project_params.yaml`
      );
      this._bucket =
        bucketOfProjectParams(params) ??
        (await this.options.projectBucket?.()) ??
        null;
    } catch {
      this._bucket =
        (await this.options.projectBucket?.().catch(() => null)) ?? null;
    }
    this._changed.emit();
    return this._bucket;
  }

  /** Replace the placeholder in every value holding it with the project bucket. */
  replacePlaceholders(bucket: string): void {
    let text = this._text;
    for (const problem of this.placeholders) {
      const keys = pointerKeys(problem.pointer);
      const parsed = parseConfig(text, this.format, this.limits);
      const value = keys.reduce<any>((node, key) => node?.[key], parsed.data);
      if (typeof value === 'string') {
        text = applyValue(text, keys, value.split(PLACEHOLDER).join(bucket));
      }
    }
    if (text !== this._text) {
      this.setTextInternal(text);
      this._textReplaced.emit(text);
      this._changed.emit();
    }
  }

  /** Forget the restored draft and go back to the branch's text. */
  discardDraft(): void {
    this.clearDraft();
    this._restored = null;
    this._conflict = null;
    this._mode = 'edit';
    void this.load();
  }

  /**
   * Review against the branch head: if the head is still the commit the edit
   * started from, show the diff; if it moved, the conflict view.
   */
  async review(): Promise<void> {
    if (this.blocker && !(this.local && this.blocker === 'unchanged')) {
      return;
    }
    this._busy = true;
    this._error = null;
    this._changed.emit();
    try {
      const head = await this.options.service.head(
        this._location.repository,
        this._location.branch
      );
      if (this.local) {
        // A local clone's file goes on top of the branch as it is now.
        const file = await this.options.service.read(this._location);
        this._baseText = file.text;
        this._baseCommitId = file.commitId;
        this._mode = 'review';
      } else if (head !== this._baseCommitId) {
        const theirs = await this.options.service.textAt(
          this._location.repository,
          head,
          this._location.path
        );
        this._conflict = { theirsText: theirs ?? '', headCommitId: head };
        this._mode = 'conflict';
      } else {
        this._mode = 'review';
      }
    } catch (error) {
      this._error = toMLOpsError(error, 'GetBranch');
    } finally {
      this._busy = false;
      this._changed.emit();
    }
  }

  /** The diff the review shows: branch head (as read) against the text. */
  get reviewHunks(): IHunk[] {
    return hunks(lineDiff(this._baseText, this._text));
  }

  backToEditing(): void {
    this._mode = 'edit';
    this._changed.emit();
  }

  /**
   * Commit the text on the commit it was reviewed against; optionally open
   * (or find) the pull request to `destination`. A moved branch leads to the
   * conflict view with the edit kept.
   */
  async commit(options: {
    message: string;
    pullRequestTo: string | null;
    pullRequestTitle?: string;
  }): Promise<void> {
    if (this._busy || this.blocker === 'invalid' || this.blocker === 'parse') {
      return;
    }
    const message = options.message.trim();
    if (!message) {
      return;
    }
    this._busy = true;
    this._error = null;
    this._changed.emit();
    try {
      const result = await this.options.service.commit({
        location: this._location,
        text: this._text,
        parentCommitId: this._baseCommitId,
        message
      });
      let pullRequest: IPullRequest | null = null;
      let pullRequestError: MLOpsError | null = null;
      if (
        options.pullRequestTo &&
        options.pullRequestTo !== this._location.branch
      ) {
        try {
          pullRequest = await this.options.service.pullRequest({
            repository: this._location.repository,
            source: this._location.branch,
            destination: options.pullRequestTo,
            title: options.pullRequestTitle || message.split('\n')[0],
            description: message
          });
        } catch (error) {
          pullRequestError = toMLOpsError(error, 'CreatePullRequest');
        }
      }
      this.clearDraft();
      this._committed = {
        commitId: result.commitId,
        branch: this._location.branch,
        pullRequest,
        pullRequestError
      };
      this._baseText = this._text;
      this._baseCommitId = result.commitId;
      this._exists = true;
      this._restored = null;
      this._mode = 'edit';
    } catch (error) {
      if (error instanceof ConfigConflict) {
        const theirs = await this.options.service
          .textAt(
            this._location.repository,
            error.headCommitId,
            this._location.path
          )
          .catch(() => null);
        this._conflict = {
          theirsText: theirs ?? '',
          headCommitId: error.headCommitId
        };
        this._mode = 'conflict';
        this._error = error;
      } else {
        this._error = toMLOpsError(error, 'CreateCommit');
      }
    } finally {
      this._busy = false;
      this._changed.emit();
    }
  }

  /** Re-apply the edit (base -> yours) on their head; conflicting lines are marked for the user. */
  reapplyOnTheirs(): { conflicts: number } {
    const conflict = this._conflict;
    if (!conflict) {
      return { conflicts: 0 };
    }
    const merged = reapply(this._baseText, conflict.theirsText, this._text);
    this._baseText = conflict.theirsText;
    this._baseCommitId = conflict.headCommitId;
    this._conflict = null;
    this._error = null;
    this._mode = 'edit';
    this.setTextInternal(merged.text);
    this._textReplaced.emit(this._text);
    this._changed.emit();
    return { conflicts: merged.conflicts };
  }

  /** Drop the edit and take their version. */
  takeTheirs(): void {
    const conflict = this._conflict;
    if (!conflict) {
      return;
    }
    this._baseText = conflict.theirsText;
    this._baseCommitId = conflict.headCommitId;
    this._conflict = null;
    this._error = null;
    this._mode = 'edit';
    this.clearDraft();
    this.setTextInternal(conflict.theirsText);
    this._textReplaced.emit(this._text);
    this._changed.emit();
  }

  /** Save a local clone's file (valid content only). */
  async saveLocal(): Promise<boolean> {
    if (!this.local || this.errors.length || this._parsed.problems.length) {
      return false;
    }
    await this.local.write(this._text);
    return true;
  }

  dispose(): void {
    if (this._draftTimer) {
      clearTimeout(this._draftTimer);
      this.saveDraft();
    }
    Signal.clearData(this);
  }

  private setTextInternal(text: string): void {
    this._text = text;
    const started = performance.now();
    this._parsed = parseConfig(text, this.format, this.limits);
    const schema = this.schema;
    this._problems = schema
      ? validateConfig(this._parsed, schema, this.options.validate)
      : this._parsed.problems;
    this._lastValidationMs = performance.now() - started;
    this.scheduleDraft();
  }

  private get draftKey(): string {
    const l = this._location;
    const where = this.local ? `local:${this.local.path}` : l.path;
    return `sagemaker-mlops:config-draft:${l.repository}:${l.branch}:${where}`;
  }

  private readDraft(): IDraft | null {
    try {
      const raw = this.options.storage?.getItem(this.draftKey);
      const draft = raw ? (JSON.parse(raw) as IDraft) : null;
      return draft && typeof draft.text === 'string' ? draft : null;
    } catch {
      return null;
    }
  }

  private scheduleDraft(): void {
    if (this._loading || !this.options.storage) {
      return;
    }
    if (this._draftTimer) {
      clearTimeout(this._draftTimer);
    }
    this._draftTimer = setTimeout(() => {
      this._draftTimer = null;
      this.saveDraft();
    }, 300);
  }

  private saveDraft(): void {
    const storage = this.options.storage;
    if (!storage || this._loading) {
      return;
    }
    try {
      if (this._text === this._baseText) {
        storage.removeItem(this.draftKey);
        return;
      }
      const draft: IDraft = {
        text: this._text,
        baseText: this._baseText,
        baseCommitId: this._baseCommitId,
        savedAt: (this.options.now ?? Date.now)()
      };
      storage.setItem(this.draftKey, JSON.stringify(draft));
    } catch {
      // Storage full or disabled: the edit stays in the tab.
    }
  }

  private clearDraft(): void {
    if (this._draftTimer) {
      clearTimeout(this._draftTimer);
      this._draftTimer = null;
    }
    try {
      this.options.storage?.removeItem(this.draftKey);
    } catch {
      // ignore
    }
  }

  private _location: IConfigLocation;
  private _mode: EditorMode = 'edit';
  private _loading = false;
  private _busy = false;
  private _error: MLOpsError | null = null;
  private _text = '';
  private _baseText = '';
  private _baseCommitId = '';
  private _exists = false;
  private _parsed: IParsedConfig;
  private _problems: IConfigProblem[] = [];
  private _restored: IDraft | null = null;
  private _conflict: IConflict | null = null;
  private _committed: ICommitted | null = null;
  private _lastValidationMs = 0;
  private _bucket: string | null = null;
  private _draftTimer: ReturnType<typeof setTimeout> | null = null;
  private _changed = new Signal<this, void>(this);
  private _textReplaced = new Signal<this, string>(this);
}

/** A file-name glob (`*`, `?`) against a base name. */
export function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(
    '^' +
      pattern
        .split('')
        .map(c =>
          c === '*'
            ? '.*'
            : c === '?'
              ? '.'
              : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')
        )
        .join('') +
      '$'
  );
  return re.test(name);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The leaf changes from `before` to `after`: mappings compared key by key
 * (removed keys as undefined), anything else (scalars, lists) as a whole.
 */
export function changesBetween(
  before: unknown,
  after: unknown,
  keys: (string | number)[] = []
): [(string | number)[], unknown][] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const out: [(string | number)[], unknown][] = [];
    for (const key of Object.keys(before)) {
      if (!(key in after) || after[key] === undefined) {
        out.push([[...keys, key], undefined]);
      }
    }
    for (const [key, value] of Object.entries(after)) {
      if (value === undefined) {
        continue;
      }
      out.push(...changesBetween(before[key], value, [...keys, key]));
    }
    return out;
  }
  return JSON.stringify(before) === JSON.stringify(after)
    ? []
    : [[keys, after]];
}
