import { Clipboard, ReactWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { MLOpsError, toMLOpsError } from '../core/errors';
import { ErrorBanner } from '../shared/ErrorBanner';
import {
  IEnvironment,
  IIndexPackage,
  IJob,
  IPlan,
  PackagesApi,
  isFinished
} from './api';
import '../../style/views.css';

/** How often a running install is asked for its progress. */
const POLL_MS = 1000;
const SEARCH_DELAY_MS = 300;

export interface IPackagesPanelOptions {
  api: PackagesApi;
  trans: TranslationBundle;
  /** The notebook the packages go to (its name, for the title and messages). */
  notebook: string;
  /**
   * The id of the notebook's running kernel, once the notebook's session is
   * ready (a kernel still starting is waited for); it changes when the kernel
   * changes.
   */
  kernelId: () => Promise<string | undefined>;
  /** Restart the notebook's kernel, so that it imports what was installed. */
  restartKernel: () => Promise<void>;
}

/**
 * Install packages from the platform's curated CodeArtifact index into the
 * kernel of one notebook: search, pick versions, review what changes, install
 * with a live log, then restart the kernel and record the requirements.
 */
export class PackagesPanel extends ReactWidget {
  constructor(options: IPackagesPanelOptions) {
    super();
    this._options = options;
    this.addClass('jp-MLOps-packages');
  }

  render(): JSX.Element {
    return <PackagesView {...this._options} />;
  }

  private _options: IPackagesPanelOptions;
}

type Step =
  | { kind: 'edit' }
  | { kind: 'planning' }
  | { kind: 'planned'; plan: IPlan }
  | { kind: 'installing'; job: IJob }
  | { kind: 'done'; job: IJob };

function PackagesView(props: IPackagesPanelOptions): JSX.Element {
  const { api, trans } = props;
  const [env, setEnv] = React.useState<IEnvironment | null>(null);
  const [envError, setEnvError] = React.useState<MLOpsError | null>(null);
  const [query, setQuery] = React.useState('');
  const [results, setResults] = React.useState<IIndexPackage[] | null>(null);
  const [searching, setSearching] = React.useState(false);
  const [searchError, setSearchError] = React.useState<MLOpsError | null>(null);
  const [chosen, setChosen] = React.useState<Record<string, string>>({});
  const [requirements, setRequirements] = React.useState<string[]>([]);
  const [step, setStep] = React.useState<Step>({ kind: 'edit' });
  const [confirm, setConfirm] = React.useState(false);
  const [error, setError] = React.useState<MLOpsError | null>(null);
  const [copied, setCopied] = React.useState(false);
  const busy = React.useRef(false);

  const loadEnvironment = React.useCallback(async () => {
    setEnvError(null);
    const kernel = await props.kernelId();
    if (!kernel) {
      setEnv(null);
      setEnvError(
        new MLOpsError({
          code: 'NoKernel',
          message: trans.__(
            'The notebook %1 has no running kernel: start one, then try again.',
            props.notebook
          ),
          kind: 'validation'
        })
      );
      return;
    }
    try {
      setEnv(await api.environment(kernel));
    } catch (e) {
      setEnvError(toMLOpsError(e, 'GetEnvironment'));
    }
  }, [api, props.kernelId, props.notebook, trans]);

  React.useEffect(() => {
    void loadEnvironment();
  }, [loadEnvironment]);

  // Search the curated index as the user types (debounced; the newest answer wins).
  React.useEffect(() => {
    const prefix = query.trim();
    if (!prefix) {
      setResults(null);
      setSearchError(null);
      return;
    }
    let current = true;
    const timer = window.setTimeout(async () => {
      setSearching(true);
      try {
        const found = await api.search(prefix);
        if (current) {
          setResults(found);
          setSearchError(null);
        }
      } catch (e) {
        if (current) {
          setSearchError(toMLOpsError(e, 'ListPackages'));
        }
      } finally {
        if (current) {
          setSearching(false);
        }
      }
    }, SEARCH_DELAY_MS);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [api, query]);

  const installedVersion = (name: string) =>
    env?.installed.find(p => normalize(p.name) === normalize(name))?.version;

  const add = (pkg: IIndexPackage) => {
    const version = chosen[pkg.name] ?? pkg.latest ?? pkg.versions[0];
    const line = version ? `${pkg.name}==${version}` : pkg.name;
    setRequirements(current => [
      ...current.filter(r => normalize(nameOf(r)) !== normalize(pkg.name)),
      line
    ]);
    setStep({ kind: 'edit' });
    setConfirm(false);
  };

  const remove = (line: string) => {
    setRequirements(current => current.filter(r => r !== line));
    setStep({ kind: 'edit' });
    setConfirm(false);
  };

  const review = async () => {
    const kernel = await props.kernelId();
    if (!kernel || !requirements.length || busy.current) {
      return;
    }
    busy.current = true;
    setError(null);
    setStep({ kind: 'planning' });
    try {
      setStep({ kind: 'planned', plan: await api.plan(kernel, requirements) });
    } catch (e) {
      setError(toMLOpsError(e, 'Plan'));
      setStep({ kind: 'edit' });
    } finally {
      busy.current = false;
    }
  };

  const follow = async (id: string) => {
    let since = 0;
    let lines: string[] = [];
    for (;;) {
      const job = await api.job(id, since);
      lines = [...lines, ...job.lines];
      since = job.next;
      const shown = { ...job, lines };
      if (isFinished(job.state)) {
        setStep({ kind: 'done', job: shown });
        void loadEnvironment();
        return;
      }
      setStep({ kind: 'installing', job: shown });
      await new Promise(resolve => setTimeout(resolve, POLL_MS));
    }
  };

  const install = async (plan: IPlan) => {
    const kernel = await props.kernelId();
    const changes = plan.upgrade.length + plan.downgrade.length > 0;
    if (!kernel || busy.current || (changes && !confirm)) {
      return;
    }
    busy.current = true;
    setError(null);
    try {
      const started = await api.install(kernel, requirements, changes);
      setStep({
        kind: 'installing',
        job: {
          ...started,
          lines: [],
          next: 0,
          installed: [],
          error: null
        }
      });
      await follow(started.id);
    } catch (e) {
      setError(toMLOpsError(e, 'Install'));
      setStep({ kind: 'planned', plan });
    } finally {
      busy.current = false;
    }
  };

  const cancel = async (job: IJob) => {
    try {
      await api.cancel(job.id);
    } catch (e) {
      setError(toMLOpsError(e, 'Cancel'));
    }
  };

  const planned = step.kind === 'planned' ? step.plan : null;
  const changes = planned ? [...planned.upgrade, ...planned.downgrade] : [];
  const blocked = !!planned?.notInIndex.length;
  const job =
    step.kind === 'installing' || step.kind === 'done' ? step.job : null;
  const editing = step.kind === 'edit' || step.kind === 'planned';

  return (
    <div className="jp-MLOps-packages-body">
      <h2 className="jp-MLOps-packages-title">
        {trans.__('Install packages into the kernel of %1', props.notebook)}
      </h2>
      <p className="jp-MLOps-muted">
        {trans.__(
          "From the platform's curated package index (CodeArtifact): the platform team decides what is in it."
        )}
      </p>
      {!env && !envError && (
        <p className="jp-MLOps-muted" role="status">
          {trans.__('Waiting for the kernel of %1…', props.notebook)}
        </p>
      )}
      {envError && (
        <ErrorBanner
          error={envError}
          trans={trans}
          onRetry={() => void loadEnvironment()}
        />
      )}
      {env && (
        <dl className="jp-MLOps-metadata" aria-label={trans.__('Kernel')}>
          <dt>{trans.__('Python')}</dt>
          <dd className="jp-MLOps-literal">
            {trans.__('%1 (%2)', env.interpreter, env.pythonVersion)}
          </dd>
          <dt>{trans.__('Installer')}</dt>
          <dd>{env.installer}</dd>
          <dt>{trans.__('Installed')}</dt>
          <dd>
            <details className="jp-MLOps-installed">
              <summary>
                {trans._n('%1 package', '%1 packages', env.installed.length)}
              </summary>
              <ul aria-label={trans.__('Installed packages')}>
                {env.installed.map(p => (
                  <li key={p.name}>
                    <code>{`${p.name} ${p.version}`}</code>
                  </li>
                ))}
              </ul>
            </details>
          </dd>
        </dl>
      )}
      {env?.isServerEnvironment && (
        <div className="jp-MLOps-banner jp-MLOps-banner-warning" role="note">
          {trans.__(
            "This kernel runs in the Jupyter server's own environment: an install there can break JupyterLab, and it is lost when the space restarts. For packages that last, create an environment under your home directory (python -m venv ~/envs/project, then install ipykernel in it) and use its kernel."
          )}
        </div>
      )}

      <section aria-label={trans.__('Search the curated index')}>
        <label className="jp-MLOps-field" htmlFor="mlops-packages-search">
          {trans.__('Search the curated index')}
          <input
            id="mlops-packages-search"
            type="search"
            value={query}
            disabled={!editing}
            placeholder={trans.__('Package name, e.g. tabulate')}
            onChange={event => setQuery(event.target.value)}
          />
        </label>
        <div className="jp-MLOps-status-line jp-MLOps-muted" aria-live="polite">
          {searching ? trans.__('Searching…') : ''}
        </div>
        {searchError && <ErrorBanner error={searchError} trans={trans} />}
        {results && results.length === 0 && !searching && (
          <p className="jp-MLOps-muted" role="status">
            {trans.__(
              'No package starting with "%1" is in the curated index. The platform team curates it: ask them to add the package you need.',
              query.trim()
            )}
          </p>
        )}
        {results && results.length > 0 && (
          <ul
            className="jp-MLOps-package-results"
            aria-label={trans.__('Packages found')}
          >
            {results.map(pkg => {
              const installed = installedVersion(pkg.name);
              return (
                <li key={pkg.name} data-package={pkg.name}>
                  <span className="jp-MLOps-row-name">{pkg.name}</span>
                  {installed && (
                    <span className="jp-MLOps-chip">
                      {trans.__('installed %1', installed)}
                    </span>
                  )}
                  <select
                    aria-label={trans.__('Version of %1', pkg.name)}
                    value={chosen[pkg.name] ?? pkg.latest ?? ''}
                    disabled={!editing}
                    onChange={event =>
                      setChosen({ ...chosen, [pkg.name]: event.target.value })
                    }
                  >
                    {pkg.versions.map(v => (
                      <option key={v} value={v}>
                        {v}
                      </option>
                    ))}
                  </select>
                  <button
                    type="button"
                    className="jp-mod-styled jp-mod-accept jp-Button"
                    disabled={!editing}
                    onClick={() => add(pkg)}
                  >
                    {trans.__('Add %1', pkg.name)}
                  </button>
                </li>
              );
            })}
          </ul>
        )}
      </section>

      <section aria-label={trans.__('To install')}>
        <h3 className="jp-MLOps-subtitle">{trans.__('To install')}</h3>
        {requirements.length === 0 ? (
          <p className="jp-MLOps-muted">
            {trans.__('Nothing yet: search and add packages.')}
          </p>
        ) : (
          <ul className="jp-MLOps-requirements">
            {requirements.map(line => (
              <li key={line}>
                <code>{line}</code>
                <button
                  type="button"
                  className="jp-MLOps-link-button"
                  disabled={!editing}
                  onClick={() => remove(line)}
                >
                  {trans.__('Remove %1', line)}
                </button>
              </li>
            ))}
          </ul>
        )}
        {editing && (
          <button
            type="button"
            className="jp-mod-styled jp-mod-accept jp-Button"
            disabled={!requirements.length || !env}
            onClick={() => void review()}
          >
            {trans.__('Review changes')}
          </button>
        )}
        {step.kind === 'planning' && (
          <p className="jp-MLOps-muted" role="status">
            {trans.__('Resolving against the curated index…')}
          </p>
        )}
      </section>

      {error && <ErrorBanner error={error} trans={trans} />}

      {planned && (
        <section
          className="jp-MLOps-plan"
          aria-label={trans.__('What the install changes')}
        >
          <h3 className="jp-MLOps-subtitle">
            {trans.__('What the install changes')}
          </h3>
          {blocked && (
            <div className="jp-MLOps-banner jp-MLOps-banner-error" role="alert">
              {trans.__(
                'Not in the curated index: %1. The platform team curates the index; ask them to add it. Nothing was installed.',
                planned.notInIndex.join(', ')
              )}
            </div>
          )}
          {planned.warnings
            // The environment's warning already shows above.
            .filter(
              w => !(env?.isServerEnvironment && /own environment/.test(w))
            )
            .map(w => (
              <div
                key={w}
                className="jp-MLOps-banner jp-MLOps-banner-warning"
                role="note"
              >
                {w}
              </div>
            ))}
          {planned.install.length > 0 && (
            <>
              <h4>{trans.__('New')}</h4>
              <ul>
                {planned.install.map(p => (
                  <li key={p.name}>
                    <code>{`${p.name} ${p.version}`}</code>
                  </li>
                ))}
              </ul>
            </>
          )}
          {changes.length > 0 && (
            <>
              <h4>{trans.__('Changes to installed packages')}</h4>
              <ul className="jp-MLOps-changes">
                {planned.upgrade.map(c => (
                  <li key={c.name}>
                    {trans.__(
                      '%1: upgraded from %2 to %3',
                      c.name,
                      c.from,
                      c.to
                    )}
                  </li>
                ))}
                {planned.downgrade.map(c => (
                  <li key={c.name}>
                    {trans.__(
                      '%1: downgraded from %2 to %3',
                      c.name,
                      c.from,
                      c.to
                    )}
                  </li>
                ))}
              </ul>
              <label className="jp-MLOps-check">
                <input
                  type="checkbox"
                  checked={confirm}
                  onChange={event => setConfirm(event.target.checked)}
                />
                {trans.__('Change the installed packages listed above')}
              </label>
            </>
          )}
          {!blocked && planned.install.length === 0 && changes.length === 0 && (
            <p className="jp-MLOps-muted">
              {trans.__('Everything asked for is installed already.')}
            </p>
          )}
          <button
            type="button"
            className="jp-mod-styled jp-mod-accept jp-Button"
            disabled={
              blocked ||
              (changes.length > 0 && !confirm) ||
              (planned.install.length === 0 && changes.length === 0)
            }
            onClick={() => void install(planned)}
          >
            {trans.__('Install')}
          </button>
        </section>
      )}

      {job && (
        <section
          className="jp-MLOps-job"
          aria-label={trans.__('Install')}
          data-state={job.state}
        >
          <div className="jp-MLOps-row-meta">
            <span className="jp-MLOps-badge" data-status={job.state}>
              {jobStateLabel(job.state, trans)}
            </span>
            {!isFinished(job.state) && (
              <button
                type="button"
                className="jp-mod-styled jp-mod-warn jp-Button"
                onClick={() => void cancel(job)}
              >
                {trans.__('Cancel install')}
              </button>
            )}
          </div>
          <pre
            className="jp-MLOps-job-log"
            role="log"
            aria-label={trans.__('Installer output')}
            tabIndex={0}
          >
            {job.lines.join('\n')}
          </pre>
          {job.state === 'succeeded' && (
            <div className="jp-MLOps-done" role="status">
              <p>
                {job.installed.length
                  ? trans.__(
                      'Installed: %1.',
                      job.installed
                        .map(p => `${p.name} ${p.version}`)
                        .join(', ')
                    )
                  : trans.__('Nothing needed installing.')}
              </p>
              <div className="jp-MLOps-info-actions">
                <button
                  type="button"
                  className="jp-mod-styled jp-mod-accept jp-Button"
                  onClick={() => void props.restartKernel()}
                >
                  {trans.__('Restart the kernel')}
                </button>
                <button
                  type="button"
                  className="jp-mod-styled jp-Button"
                  onClick={() => {
                    Clipboard.copyToSystem(requirements.join('\n'));
                    setCopied(true);
                  }}
                >
                  {copied
                    ? trans.__('Copied')
                    : trans.__('Copy the requirement lines')}
                </button>
              </div>
              <p className="jp-MLOps-muted">
                {trans.__(
                  'Restart the kernel to import upgraded packages; record the requirement lines in your requirements file so that the pipeline installs the same.'
                )}
              </p>
            </div>
          )}
          {(job.state === 'failed' || job.state === 'cancelled') && (
            <div className="jp-MLOps-banner jp-MLOps-banner-error" role="alert">
              {job.error?.message ??
                (job.state === 'cancelled'
                  ? trans.__(
                      'Cancelled: the environment was put back as it was.'
                    )
                  : trans.__(
                      'The install failed: the environment was put back as it was.'
                    ))}
            </div>
          )}
          {isFinished(job.state) && (
            <button
              type="button"
              className="jp-MLOps-link-button"
              onClick={() => {
                setStep({ kind: 'edit' });
                setConfirm(false);
                setCopied(false);
                if (job.state === 'succeeded') {
                  setRequirements([]);
                }
              }}
            >
              {trans.__('Install more')}
            </button>
          )}
        </section>
      )}
    </div>
  );
}

function jobStateLabel(state: IJob['state'], trans: TranslationBundle): string {
  switch (state) {
    case 'queued':
      return trans.__('Queued');
    case 'running':
      return trans.__('Installing');
    case 'succeeded':
      return trans.__('Installed');
    case 'failed':
      return trans.__('Failed');
    case 'cancelled':
      return trans.__('Cancelled');
  }
}

/** PEP 503 normalisation. */
function normalize(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

function nameOf(requirement: string): string {
  return /^[A-Za-z0-9._-]+/.exec(requirement)?.[0] ?? requirement;
}
