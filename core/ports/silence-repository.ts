import type { Silence } from '../domain/policies/silence.ts';

export interface SilenceRepository {
  add(silence: Silence): Promise<void>;
  /** Silences not yet expired at `now`. */
  active(now: Date): Promise<readonly Silence[]>;
  /** Ends a silence early; false if there was none with this id. */
  remove(id: string): Promise<boolean>;
}
