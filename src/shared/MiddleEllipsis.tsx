import * as React from 'react';

/**
 * A name that keeps its end visible when it does not fit: the head is
 * elided, the last `tail` characters (what tells the name apart from its
 * siblings) always show. The whole name is in the tooltip and is what
 * assistive technologies and copy read.
 */
export function MiddleEllipsis(props: {
  text: string;
  /** Characters kept at the end (at least 6). */
  tail: number;
  className?: string;
}): JSX.Element {
  const { text } = props;
  const keep = Math.min(text.length, Math.max(6, props.tail));
  const head = text.slice(0, text.length - keep);
  const end = text.slice(text.length - keep);
  return (
    <span
      className={`jp-MLOps-mid${props.className ? ` ${props.className}` : ''}`}
      title={text}
    >
      <span className="jp-MLOps-sr-only">{text}</span>
      {head && (
        <span className="jp-MLOps-mid-head" aria-hidden="true">
          {head}
        </span>
      )}
      <span className="jp-MLOps-mid-tail" aria-hidden="true">
        {end}
      </span>
    </span>
  );
}
