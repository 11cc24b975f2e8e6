/** Configuration secrets are the domain's `Secret` (agent profiles hold them too); see core/domain/secret.ts. */
export { Secret } from '../../core/domain/secret.ts';
