declare module '*.svg' {
  const value: string;
  export default value;
}

/** A style sheet imported by a lazily loaded view: bundled with that view, not at start-up. */
declare module '*.css';
