import { builder } from '../builder.js'

/** Contract `enum DataLocation { ONCHAIN, ARWEAVE, IPFS, CUSTOM }`, stored as its uint8 value. */
export const DataLocation = builder.enumType('DataLocation', {
  description: 'Where attestation data lives (Sign Protocol DataLocation, uint8 0..3)',
  values: {
    ONCHAIN: { value: 0, description: 'abi.encode of the schema fields, in the attestation' },
    ARWEAVE: { value: 1, description: 'abi.encode(string) of an Arweave transaction id' },
    IPFS: { value: 2, description: 'abi.encode(string) of an IPFS CID' },
    CUSTOM: { value: 3, description: 'application defined' },
  } as const,
})

/**
 * Narrows a stored `dataLocation` to the enum's values.
 * @throws {RangeError} for a value outside 0..3 (the contract cannot produce one; masked as an internal error)
 */
export function toDataLocation(value: number): 0 | 1 | 2 | 3 {
  if (value === 0 || value === 1 || value === 2 || value === 3) return value
  throw new RangeError(`dataLocation ${value} is not a DataLocation`)
}
