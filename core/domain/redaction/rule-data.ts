/** One allow-list of a detection rule: a finding whose target matches a regex or holds a stopword is kept. */
export interface AllowData {
  /** What the regexes are tried on: the secret itself, the whole match, or the line. */
  readonly target: 'secret' | 'match' | 'line';
  readonly regexes: readonly { readonly source: string; readonly flags: string }[];
  /** Lower-case words; a secret containing one is not a secret. */
  readonly stopwords: readonly string[];
}

/** One detection rule in JavaScript regexp syntax (see test/tools/re2-to-js.ts for the translation). */
export interface RuleData {
  readonly id: string;
  readonly source: string;
  readonly flags: string;
  /** Lower-case words of which one must appear in the text before the regex is tried. */
  readonly keywords: readonly string[];
  /** Minimum Shannon entropy (bits per character) of the secret; 0 for none. */
  readonly entropy: number;
  /** The capture group holding the secret; 0 = the first non-empty group, or the whole match. */
  readonly secretGroup: number;
  readonly allow: readonly AllowData[];
}
