import { useVirtualizer } from '@tanstack/react-virtual';
import * as React from 'react';

/** One line of a resource tree, flattened so long trees can be virtualized. */
export interface ITreeRow {
  /** Unique and stable across refreshes. */
  key: string;
  /** Depth, 1 for top-level rows. */
  level: number;
  /**
   * `treeitem` rows take part in keyboard navigation; `none` rows (a filter,
   * a "load more" button, a message) hold their own controls (drawn as a
   * `group`, which a tree may own).
   */
  role?: 'treeitem' | 'none';
  /** Expandable rows say whether they are expanded; leaves leave it undefined. */
  expanded?: boolean;
  /** `data-*` attributes of the row (context menus find their target by them). */
  data?: Record<string, string>;
  className?: string;
  /** Tooltip of the row. */
  title?: string;
}

export interface IResourceTreeProps<R extends ITreeRow> {
  rows: readonly R[];
  /** Accessible name of the tree. */
  label: string;
  /** Height estimate of a row (measured once rendered). */
  estimateSize: (row: R) => number;
  /** The content of a row; the tree draws the row element itself. */
  renderRow: (row: R) => React.ReactNode;
  /** Click, Enter or Space on an expandable row, ArrowRight on a collapsed one, ArrowLeft on an expanded one. */
  onToggle?: (row: R) => void;
  /** Double-click, or Enter on a leaf. */
  onOpen?: (row: R) => void;
  /** The rows on screen changed (e.g. to load what only visible rows need). */
  onVisibleRowsChange?: (rows: readonly R[]) => void;
  /** The pointer or the focus entered (true) or left (false) the tree. */
  onInteractingChange?: (interacting: boolean) => void;
}

/**
 * A virtualized tree (role `tree`) of resources: only the rows on screen are
 * in the DOM; arrow keys, Home and End move between rows, ArrowRight/Left
 * expand and collapse, Enter and Space toggle or open, Shift+F10 or the menu
 * key open the row's context menu; one row is in the tab order at a time.
 */
export function ResourceTree<R extends ITreeRow>(
  props: IResourceTreeProps<R>
): JSX.Element {
  const { rows } = props;
  const scrollRef = React.useRef<HTMLDivElement>(null);
  const [focusKey, setFocusKey] = React.useState<string | null>(null);
  const pendingFocus = React.useRef<string | null>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: index => props.estimateSize(rows[index]),
    getItemKey: index => rows[index].key,
    overscan: 8
  });

  const items = rows
    .map((row, index) => ({ row, index }))
    .filter(({ row }) => (row.role ?? 'treeitem') === 'treeitem');
  const tabKey =
    focusKey && items.some(({ row }) => row.key === focusKey)
      ? focusKey
      : items[0]?.row.key;

  // Focus the row a key moved to once it is rendered (it may have been scrolled in).
  React.useEffect(() => {
    const key = pendingFocus.current;
    if (!key || !scrollRef.current) {
      return;
    }
    const element = scrollRef.current.querySelector<HTMLElement>(
      `[data-tree-key="${CSS.escape(key)}"]`
    );
    if (element) {
      pendingFocus.current = null;
      element.focus();
    }
  });

  // Tell the owner which rows are on screen, when that changes.
  const virtualItems = virtualizer.getVirtualItems();
  const visibleKeys = virtualItems.map(item => item.key).join('\n');
  const onVisible = props.onVisibleRowsChange;
  React.useEffect(() => {
    if (onVisible) {
      onVisible(virtualItems.map(item => rows[item.index]).filter(Boolean));
    }
  }, [visibleKeys, onVisible]);

  const moveTo = (index: number) => {
    const target = items[Math.max(0, Math.min(items.length - 1, index))];
    if (!target) {
      return;
    }
    pendingFocus.current = target.row.key;
    setFocusKey(target.row.key);
    virtualizer.scrollToIndex(target.index, { align: 'auto' });
  };

  const onKeyDown = (event: React.KeyboardEvent, row: R) => {
    if (event.target !== event.currentTarget) {
      return; // a control inside the row handles its own keys
    }
    const position = items.findIndex(item => item.row.key === row.key);
    const expandable = row.expanded !== undefined;
    switch (event.key) {
      case 'ArrowDown':
        moveTo(position + 1);
        break;
      case 'ArrowUp':
        moveTo(position - 1);
        break;
      case 'Home':
        moveTo(0);
        break;
      case 'End':
        moveTo(items.length - 1);
        break;
      case 'ArrowRight':
        if (expandable && !row.expanded) {
          props.onToggle?.(row);
        } else if (row.expanded) {
          moveTo(position + 1);
        }
        break;
      case 'ArrowLeft':
        if (row.expanded) {
          props.onToggle?.(row);
        } else {
          const parent = items
            .slice(0, position)
            .reverse()
            .find(item => item.row.level < row.level);
          if (parent) {
            moveTo(items.indexOf(parent));
          }
        }
        break;
      case 'Enter':
      case ' ':
        if (expandable) {
          props.onToggle?.(row);
        } else {
          props.onOpen?.(row);
        }
        break;
      case 'ContextMenu':
      case 'F10':
        if (event.key === 'F10' && !event.shiftKey) {
          return;
        }
        openContextMenu(event.currentTarget as HTMLElement);
        break;
      default:
        return;
    }
    event.preventDefault();
    event.stopPropagation();
  };

  const slot = (item: (typeof virtualItems)[number]): JSX.Element => {
    const row = rows[item.index];
    const itemRow = isItem(row);
    const data = Object.fromEntries(
      Object.entries(row.data ?? {}).map(([k, v]) => [
        `data-${k.replace(/[A-Z]/g, c => `-${c.toLowerCase()}`)}`,
        v
      ])
    );
    return (
      <div
        key={item.key}
        data-index={item.index}
        ref={virtualizer.measureElement}
        className="jp-MLOps-tree-slot"
        style={{ transform: `translateY(${item.start}px)` }}
      >
        {itemRow ? (
          <div
            {...data}
            data-tree-key={row.key}
            data-level={row.level}
            className={`jp-MLOps-row ${row.className ?? ''}`}
            role="treeitem"
            aria-level={row.level}
            aria-expanded={row.expanded}
            tabIndex={row.key === tabKey ? 0 : -1}
            title={row.title}
            onFocus={() => setFocusKey(row.key)}
            onClick={() => {
              if (row.expanded !== undefined) {
                props.onToggle?.(row);
              }
            }}
            onDoubleClick={() => props.onOpen?.(row)}
            onKeyDown={event => onKeyDown(event, row)}
          >
            {props.renderRow(row)}
          </div>
        ) : (
          <div
            {...data}
            data-level={row.level}
            className={`jp-MLOps-row ${row.className ?? ''}`}
            // A tree may only own items and groups: a row of controls (a filter, "load more", a
            // message) is a group of its own, outside the arrow-key navigation.
            role="group"
          >
            {props.renderRow(row)}
          </div>
        )}
      </div>
    );
  };

  return (
    <div
      className="jp-MLOps-tree"
      ref={scrollRef}
      onPointerEnter={() => props.onInteractingChange?.(true)}
      onPointerLeave={() => props.onInteractingChange?.(false)}
      onFocus={() => props.onInteractingChange?.(true)}
      onBlur={event => {
        if (!event.currentTarget.contains(event.relatedTarget as Node)) {
          props.onInteractingChange?.(false);
        }
      }}
    >
      <div
        className="jp-MLOps-tree-inner"
        style={{ height: virtualizer.getTotalSize() }}
      >
        {/*
         * Two layers over the same space: the tree owns only its items (as ARIA requires); rows of
         * controls (a filter, "load more", a message) sit in a layer beside it, at their place in the list.
         */}
        <div
          className="jp-MLOps-tree-layer"
          role="tree"
          aria-label={props.label}
        >
          {virtualItems
            .filter(item => isItem(rows[item.index]))
            .map(item => slot(item))}
        </div>
        <div className="jp-MLOps-tree-layer">
          {virtualItems
            .filter(item => !isItem(rows[item.index]))
            .map(item => slot(item))}
        </div>
      </div>
    </div>
  );
}

/** Open JupyterLab's context menu on an element, as a right-click in its middle would. */
export function openContextMenu(element: HTMLElement): void {
  const box = element.getBoundingClientRect();
  element.dispatchEvent(
    new MouseEvent('contextmenu', {
      bubbles: true,
      cancelable: true,
      clientX: box.left + Math.min(24, box.width / 2),
      clientY: box.top + box.height / 2,
      button: 2
    })
  );
}

function isItem(row: ITreeRow): boolean {
  return (row.role ?? 'treeitem') === 'treeitem';
}
