// A list call that is both a promise of its first page (`await`) and an async iterable over
// every item of every page (`for await`). Nothing is fetched until one of the two is used.

export interface PageFetcher<TPage, TItem> {
  /** Fetches the page at `cursor` (undefined: the first page). */
  fetchPage(cursor: string | undefined): Promise<TPage>
  itemsOf(page: TPage): readonly TItem[]
  /** The cursor of the following page, or undefined when this was the last. */
  nextCursorOf(page: TPage): string | undefined
}

export class PaginatedList<TPage, TItem> implements PromiseLike<TPage>, AsyncIterable<TItem> {
  private first: Promise<TPage> | undefined

  constructor(private readonly fetcher: PageFetcher<TPage, TItem>) {}

  private firstPage(): Promise<TPage> {
    this.first ??= this.fetcher.fetchPage(undefined)
    return this.first
  }

  // biome-ignore lint/suspicious/noThenProperty: a thenable on purpose, so `await list` gives the first page lazily
  then<R1 = TPage, R2 = never>(
    onFulfilled?: ((page: TPage) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.firstPage().then(onFulfilled, onRejected)
  }

  /** Every page in order, following the cursor. */
  async *pages(): AsyncGenerator<TPage, void, undefined> {
    let page = await this.firstPage()
    for (;;) {
      yield page
      const cursor = this.fetcher.nextCursorOf(page)
      if (cursor === undefined) return
      page = await this.fetcher.fetchPage(cursor)
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<TItem, void, undefined> {
    for await (const page of this.pages()) yield* this.fetcher.itemsOf(page)
  }

  /** Every item of every page in one array; for bounded lists. */
  async toArray(): Promise<TItem[]> {
    const out: TItem[] = []
    for await (const item of this) out.push(item)
    return out
  }
}
