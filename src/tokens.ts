import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';

/** The one name of the product: npm package, settings id prefix, command prefix, route prefix. */
export const EXTENSION_ID = 'sagemaker-mlops';

/** Settings id of the main plugin (schema/plugin.json). */
export const PLUGIN_ID = `${EXTENSION_ID}:plugin`;

/** Translation domain of the extension's strings. */
export const TRANSLATION_DOMAIN = 'sagemaker_mlops';

/** Server route prefix, relative to the Jupyter base URL. */
export const ROUTE_PREFIX = EXTENSION_ID;

/** Every command of the extension; all are in the command palette. */
export namespace CommandIDs {
  export const openSidebar = `${EXTENSION_ID}:open-sidebar`;
  export const refresh = `${EXTENSION_ID}:refresh`;
  export const runPipeline = `${EXTENSION_ID}:run-pipeline`;
  export const stopExecution = `${EXTENSION_ID}:stop-execution`;
  export const retryExecution = `${EXTENSION_ID}:retry-execution`;
  export const openExecution = `${EXTENSION_ID}:open-execution`;
  export const runAsMyPipeline = `${EXTENSION_ID}:run-as-my-pipeline`;
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

/** User settings of the extension (schema/plugin.json). */
export interface IMLOpsSettings {
  /** SageMaker project name; empty means: resolve from Studio, else ask. */
  project: string;
  /** AWS region; empty means: the server's region. */
  region: string;
  /** Seconds between refreshes while the sidebar is visible. */
  refreshInterval: number;
}

export const DEFAULT_SETTINGS: IMLOpsSettings = {
  project: '',
  region: '',
  refreshInterval: 30
};

/** The session model shared by the extension's plugins. */
export interface IMLOpsSession {
  /** The server context once loaded, else null. */
  readonly context: IServerContext | null;
  /** The settings in force. */
  readonly settings: IMLOpsSettings;
  /** Emitted when the context, the settings or the error change. */
  readonly changed: ISignal<IMLOpsSession, void>;
}

export const IMLOpsSession = new Token<IMLOpsSession>(
  `${EXTENSION_ID}:IMLOpsSession`,
  'The SageMaker MLOps session: server context and settings.'
);
