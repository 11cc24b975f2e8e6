/**
 * Per-run NATS credentials (decentralized JWT auth: operator → account → user). Watchkeeper holds a signing key
 * of the account its bus uses and mints, for each Job run, a user that may publish only on that run's subjects
 * (`watchkeeper.run.<id>.>`), may not subscribe (so it cannot read other runs' progress or JetStream), and
 * expires at the run's deadline plus a margin. The agent pod gets it as `nats.creds`. See deploy/nats/.
 */
import { Algorithms, encodeUser, fmtCreds } from '@nats-io/jwt';
import { createUser, fromPublic, fromSeed, type KeyPair } from '@nats-io/nkeys';
import type { Secret } from '../../core/domain/secret.ts';
import { subjects } from '../../core/ports/subjects.ts';

export interface RunCredentialSettings {
  /** The account's public key (`A…`): the user JWT names it as its issuer account. */
  readonly account: string;
  /** A signing key of that account (an `SA…` seed), registered in the account JWT's `signing_keys`. */
  readonly signingKey: Secret;
  /** Added to the run's deadline (the pod may upload and exit a little after it). */
  readonly expiryMarginMs: number;
}

export interface RunCredentialRequest {
  readonly runId: string;
  /** The run's deadline; the credential expires `expiryMarginMs` after it. */
  readonly expiresAt: Date;
}

/** Mints a run's `.creds` file text (user JWT + its seed); what the Job sandbox gets from wiring. */
export type MintRunNatsCredentials = (request: RunCredentialRequest) => Promise<string>;

export class RunCredentialConfigError extends Error {}

function signingKeyPair(settings: RunCredentialSettings): KeyPair {
  const seed = settings.signingKey.reveal().trim();
  if (!seed.startsWith('SA'))
    throw new RunCredentialConfigError(
      'bus.nats.runCredentials: the signing key is not an account seed (it starts with SA; `nsc edit account --sk generate` makes one)',
    );
  try {
    return fromSeed(new TextEncoder().encode(seed));
  } catch (error) {
    throw new RunCredentialConfigError(
      `bus.nats.runCredentials: the signing key is not a valid nkey seed (${(error as Error).message})`,
    );
  }
}

function accountKey(account: string): KeyPair {
  try {
    if (!account.startsWith('A')) throw new Error('an account public key starts with A');
    return fromPublic(account);
  } catch (error) {
    throw new RunCredentialConfigError(
      `bus.nats.runCredentials.account: not an account public key (${(error as Error).message})`,
    );
  }
}

/** Checks the settings once (at startup) and returns the minter; bad keys fail here, naming the field. */
export function createRunCredentialMinter(settings: RunCredentialSettings): MintRunNatsCredentials {
  const signer = signingKeyPair(settings);
  const account = accountKey(settings.account);
  return async ({ runId, expiresAt }) => {
    const allowed = subjects.runAny(runId);
    const user = createUser();
    const exp = Math.ceil((expiresAt.getTime() + settings.expiryMarginMs) / 1000);
    if (exp * 1000 <= Date.now())
      throw new Error(
        `run ${runId}: its NATS credential would already have expired (${expiresAt.toISOString()})`,
      );
    const jwt = await encodeUser(
      `watchkeeper-run-${runId}`,
      user,
      account,
      { pub: { allow: [allowed], deny: [] }, sub: { allow: [], deny: ['>'] }, bearer_token: false },
      { algorithm: Algorithms.v2, signer, exp },
    );
    return new TextDecoder().decode(fmtCreds(jwt, user));
  };
}
