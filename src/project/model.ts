import { ISignal, Signal } from '@lumino/signaling';

import { MLOpsError, toMLOpsError } from '../core/errors';
import type { IProject } from '../core/types';
import { PagedList } from '../shared/pagedList';
import { IMLOpsConnection, IMLOpsProject, ProjectState } from '../tokens';

/** The core project functions, loaded with the AWS SDK on first use. */
const projectsApi = () =>
  import(
    /* webpackChunkName: "sagemaker-mlops-aws" */ '../core/project/projects'
  );

/**
 * The current SageMaker project: from the `project` setting, else from the
 * tags of the Studio space (or user profile) the server runs in, else the user
 * chooses one (remembered in the setting).
 */
export class ProjectModel implements IMLOpsProject {
  constructor(options: ProjectModel.IOptions) {
    this._connection = options.connection;
    this._remember = options.remember;
    this._settingsLoaded = new Promise(resolve => {
      this._onSettingsLoaded = resolve;
    });
  }

  get project(): IProject | null {
    return this._project;
  }
  get state(): ProjectState {
    return this._state;
  }
  get error(): MLOpsError | null {
    return this._error;
  }
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The account's projects, for the picker (ListProjects, paged, filtered by name). */
  get choices(): PagedList<IProject, string> {
    if (!this._choices) {
      this._choices = new PagedList<IProject, string>({
        filter: '',
        pageSize: 100,
        operation: 'ListProjects',
        fetch: async ({ nextToken, pageSize, filter }) => {
          const [{ listProjects }, clients] = await Promise.all([
            projectsApi(),
            this._connection.clients()
          ]);
          return listProjects(clients, {
            nextToken,
            pageSize,
            nameContains: filter
          });
        }
      });
    }
    return this._choices;
  }

  /** The `project` setting, once loaded and whenever it changes. */
  setSetting(name: string): void {
    const changed = this._loadedSetting && name !== this._setting;
    this._setting = name;
    this._loadedSetting = true;
    this._onSettingsLoaded();
    if (changed && name !== this._project?.name) {
      void this.refresh();
    }
  }

  resolve(): Promise<IProject | null> {
    if (!this._resolving) {
      this._resolving = this._resolve();
    }
    return this._resolving;
  }

  refresh(): Promise<IProject | null> {
    this._resolving = null;
    this._set(null, 'resolving', null);
    return this.resolve();
  }

  async choose(name: string): Promise<void> {
    this._setting = name;
    this._resolving = this._describe(name);
    await this._resolving;
    try {
      await this._remember(name);
    } catch (error) {
      console.warn(
        'sagemaker-mlops: the chosen project is not remembered',
        error
      );
    }
  }

  /** Start choosing another project (the picker shows). */
  startChoosing(): void {
    this._set(this._project, 'choose', null);
    void this.choices.reload();
  }

  /** Stop choosing, keeping the current project. */
  cancelChoosing(): void {
    if (this._project) {
      this._set(this._project, 'resolved', null);
    }
  }

  private async _resolve(): Promise<IProject | null> {
    await this._settingsLoaded;
    let name = this._setting;
    if (!name) {
      try {
        name = await this._fromStudio();
      } catch (error) {
        // The space's tags could not be read: let the user choose.
        console.warn(
          'sagemaker-mlops: no project from the Studio space',
          error
        );
      }
    }
    if (!name) {
      this._set(null, 'choose', null);
      void this.choices.reload();
      return null;
    }
    return this._describe(name);
  }

  private async _fromStudio(): Promise<string> {
    const context = await this._connection.ensureContext();
    const resource = context?.studio?.resourceArn;
    if (!resource) {
      return '';
    }
    const [{ projectOfResource }, clients] = await Promise.all([
      projectsApi(),
      this._connection.clients()
    ]);
    return (await projectOfResource(clients, resource)).name ?? '';
  }

  private async _describe(name: string): Promise<IProject | null> {
    this._set(null, 'resolving', null);
    try {
      const [{ describeProject }, clients] = await Promise.all([
        projectsApi(),
        this._connection.clients()
      ]);
      const project = await describeProject(clients, name);
      this._set(project, 'resolved', null);
      return project;
    } catch (error) {
      this._set(null, 'choose', toMLOpsError(error, 'DescribeProject'));
      void this.choices.reload();
      return null;
    }
  }

  private _set(
    project: IProject | null,
    state: ProjectState,
    error: MLOpsError | null
  ): void {
    this._project = project;
    this._state = state;
    this._error = error;
    this._changed.emit();
  }

  private _connection: IMLOpsConnection;
  private _remember: (name: string) => Promise<void>;
  private _setting = '';
  private _loadedSetting = false;
  private _settingsLoaded: Promise<void>;
  private _onSettingsLoaded: () => void = () => undefined;
  private _resolving: Promise<IProject | null> | null = null;
  private _project: IProject | null = null;
  private _state: ProjectState = 'resolving';
  private _error: MLOpsError | null = null;
  private _choices: PagedList<IProject, string> | null = null;
  private _changed = new Signal<this, void>(this);
}

export namespace ProjectModel {
  export interface IOptions {
    connection: IMLOpsConnection;
    /** Remember the chosen project (in the user's settings). */
    remember: (name: string) => Promise<void>;
  }
}
