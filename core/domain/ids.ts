/** Branded identifiers: a RunId can never be passed where an IncidentId is expected. */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type IncidentId = Brand<string, 'IncidentId'>;
export type RunId = Brand<string, 'RunId'>;
export type RemediationRequestId = Brand<string, 'RemediationRequestId'>;
export type AuditEntryId = Brand<string, 'AuditEntryId'>;

export const asIncidentId = (value: string): IncidentId => value as IncidentId;
export const asRunId = (value: string): RunId => value as RunId;
export const asRemediationRequestId = (value: string): RemediationRequestId => value as RemediationRequestId;
export const asAuditEntryId = (value: string): AuditEntryId => value as AuditEntryId;
