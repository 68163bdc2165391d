// The usage of `periodic secrets`, apart from the command so `periodic --help` can print it
// without loading storage.
export const SECRETS_HELP = `Secrets at rest (same --data-dir / DATABASE_URL / PERIODIC_MASTER_KEY as serve):
  periodic secrets status            master key ids and how many data keys each wraps
  periodic secrets rotate [--retire] new master key, re-wrap all data keys (blobs untouched);
                                     --retire then drops old keys nothing uses
`
