/** The only source of new ids for core code. Ids sort by creation time (UUIDv7) where the adapter can. */
export interface IdGen {
  newId(): string;
}
