import { BaseError } from '../errors/baseError.js'

/**
 * A journal subscriber's bounded buffer overflowed (it fell behind the tail). `cursor` is the seq of the last journal
 * entry it consumed (or had filtered out): a subscription resuming `after` it misses nothing and sees nothing twice.
 */
export class JournalOverflowError extends BaseError {
  readonly cursor: string
  /**
   * @param cursor decimal seq to resume after
   * @param bufferSize the subscriber's buffer, in journal entries
   */
  constructor(cursor: string, bufferSize: number) {
    super('Journal subscriber fell behind and was disconnected', {
      code: 'JOURNAL_OVERFLOW',
      details: `more than ${bufferSize} undelivered events; resume after seq ${cursor}`,
    })
    this.cursor = cursor
  }
}
