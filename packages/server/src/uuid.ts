// The one spelling of "this is an id we issued" (randomUUID's lower-case form): element ids,
// run ids, upload tokens. A string that is not one is looked up as a slug, or is not found.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export const isUuid = (s: string): boolean => UUID.test(s)
