/**
 * The extension's public surface: plugin ids, command ids, and the tokens one
 * capability plugin uses from another (connection, project, sidebar).
 */
import type { ServerConnection } from '@jupyterlab/services';
import { Token } from '@lumino/coreutils';
import type { IDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';
import type { Widget } from '@lumino/widgets';

import type { IAwsClients } from './core/aws';
import type { MLOpsError } from './core/errors';
import type { IProject } from './core/types';

/** The one name of the product: npm package, settings id prefix, command prefix, route prefix. */
export const EXTENSION_ID = 'sagemaker-mlops';

/** Translation domain of the extension's strings. */
export const TRANSLATION_DOMAIN = 'sagemaker_mlops';

/** Server route prefix, relative to the Jupyter base URL. */
export const ROUTE_PREFIX = EXTENSION_ID;

/** One plugin per capability; each can be turned off with `jupyter labextension disable <id>`. */
export namespace PluginIDs {
  export const connection = `${EXTENSION_ID}:connection`;
  export const project = `${EXTENSION_ID}:project`;
  export const sidebar = `${EXTENSION_ID}:sidebar`;
  export const pipelines = `${EXTENSION_ID}:pipelines`;
  export const registry = `${EXTENSION_ID}:registry`;
  export const packages = `${EXTENSION_ID}:packages`;
  export const config = `${EXTENSION_ID}:config`;
  export const runs = `${EXTENSION_ID}:runs`;
}

/** Every command of the extension; all are in the command palette. */
export namespace CommandIDs {
  export const openSidebar = `${EXTENSION_ID}:open-sidebar`;
  export const refresh = `${EXTENSION_ID}:refresh`;
  export const chooseProject = `${EXTENSION_ID}:choose-project`;
  export const runPipeline = `${EXTENSION_ID}:run-pipeline`;
  export const stopExecution = `${EXTENSION_ID}:stop-execution`;
  export const retryExecution = `${EXTENSION_ID}:retry-execution`;
  export const openExecution = `${EXTENSION_ID}:open-execution`;
  export const runAsMyPipeline = `${EXTENSION_ID}:run-as-my-pipeline`;
  export const approveModelVersion = `${EXTENSION_ID}:approve-model-version`;
  export const rejectModelVersion = `${EXTENSION_ID}:reject-model-version`;
  export const copyModelVersionArn = `${EXTENSION_ID}:copy-model-version-arn`;
  export const compareWithApproved = `${EXTENSION_ID}:compare-with-approved`;
  export const openProducingExecution = `${EXTENSION_ID}:open-producing-execution`;
  export const approveDeployment = `${EXTENSION_ID}:approve-deployment`;
  export const rejectDeployment = `${EXTENSION_ID}:reject-deployment`;
  export const installPackages = `${EXTENSION_ID}:install-packages`;
  export const editSharedConfig = `${EXTENSION_ID}:edit-shared-config`;
  export const editSharedConfigFile = `${EXTENSION_ID}:edit-shared-config-file`;
  export const openRunsTable = `${EXTENSION_ID}:open-runs-table`;
  export const compareRuns = `${EXTENSION_ID}:compare-runs`;
  export const showNotebookRuns = `${EXTENSION_ID}:show-notebook-runs`;
}

/** What the server knows about where the extension runs (`GET <prefix>/context`). */
export interface IServerContext {
  region: string;
  accountId: string | null;
  callerArn: string | null;
  studio: IStudioMetadata | null;
  version: string;
}

/** SageMaker Studio metadata found in the container, when running in Studio. */
export interface IStudioMetadata {
  domainId?: string | null;
  spaceName?: string | null;
  userProfileName?: string | null;
  appType?: string | null;
  resourceArn?: string | null;
}

/**
 * The connection to AWS through the Jupyter server: the server context
 * (identity, region, Studio metadata), the refresh interval every poll uses,
 * and the AWS clients, built on first use so the AWS SDK is only fetched when
 * something needs it.
 */
export interface IMLOpsConnection {
  readonly context: IServerContext | null;
  /** The region the server signs for (the server decides it; the browser cannot change it). */
  readonly region: string;
  /** Seconds between refreshes of what is visible (setting `refreshInterval`). */
  readonly refreshInterval: number;
  readonly loading: boolean;
  /** The last error of loading the context, cleared by a successful load. */
  readonly error: MLOpsError | null;
  readonly serverSettings: ServerConnection.ISettings;
  /** Emitted when the context, the refresh interval, the loading state or the error change. */
  readonly changed: ISignal<IMLOpsConnection, void>;
  /** Load the server context once; later calls return the same promise until `refresh()`. */
  ensureContext(): Promise<IServerContext | null>;
  /** Reload the server context; keeps what was shown if the reload fails. */
  refresh(): Promise<IServerContext | null>;
  /** The AWS clients, pointed at the server proxy (loads the AWS SDK on first use). */
  clients(): Promise<IAwsClients>;
}

export const IMLOpsConnection = new Token<IMLOpsConnection>(
  `${EXTENSION_ID}:IMLOpsConnection`,
  'The connection to AWS through the Jupyter server: context, clients, refresh interval.'
);

/** Where finding the project is: resolving it, resolved, or the user must choose one. */
export type ProjectState = 'resolving' | 'resolved' | 'choose';

/** The SageMaker project every capability shows. */
export interface IMLOpsProject {
  /** The current project once resolved, else null. */
  readonly project: IProject | null;
  readonly state: ProjectState;
  /** Why the project could not be resolved (access denied, network...), else null. */
  readonly error: MLOpsError | null;
  /** Emitted when the project, the state or the error change. */
  readonly changed: ISignal<IMLOpsProject, void>;
  /**
   * The current project: resolves it on first call (setting, then the Studio
   * space's tags, else null and the state `choose`); the same promise until
   * the project changes.
   */
  resolve(): Promise<IProject | null>;
  /** Make `name` the current project and remember it in the settings. */
  choose(name: string): Promise<void>;
  /** Forget the resolved project and resolve it again. */
  refresh(): Promise<IProject | null>;
}

export const IMLOpsProject = new Token<IMLOpsProject>(
  `${EXTENSION_ID}:IMLOpsProject`,
  'The SageMaker project the extension shows: name, id, and a changed signal.'
);

/** A section of the sidebar, added by a capability plugin. */
export interface ISidebarSection {
  /** Unique id, e.g. `pipelines`. */
  id: string;
  /** Sections are ordered by rank, lowest first. */
  rank: number;
  /** The section; its `title.label` names it in the sidebar. */
  widget: Widget;
  /**
   * `header`: always shown above the sections (identity, project); `body`
   * (default): a collapsible section.
   */
  area?: 'header' | 'body';
  /** Called by the sidebar's Refresh. */
  refresh?: () => Promise<void>;
}

/** The sidebar: capability plugins add their sections to it; it knows none of them. */
export interface IMLOpsSidebar {
  /** Add a section; disposing the result removes it. */
  addSection(section: ISidebarSection): IDisposable;
  /** Refresh every section shown (the Refresh button and command); a folded one refreshes when shown, if stale. */
  refresh(): Promise<void>;
  /** Show the sidebar. */
  activate(): void;
  /** Whether the sidebar is visible now. */
  readonly isVisible: boolean;
}

export const IMLOpsSidebar = new Token<IMLOpsSidebar>(
  `${EXTENSION_ID}:IMLOpsSidebar`,
  'The SageMaker MLOps sidebar, to which each capability adds its section.'
);
