import { builder } from '../builder.js'

/** One entry of an attestation's `bytes[] recipients`, with what could be decoded from it. */
export const Recipient = builder.prismaObject('Recipient', {
  description: 'A recipient as stored (bytes) and decoded: abi.encode(address) or abi.encode(string)',
  fields: (t) => ({
    position: t.exposeInt('position', { description: 'index in the recipients array' }),
    raw: t.exposeString('raw', { description: 'the bytes as stored, 0x hex' }),
    address: t.exposeString('address', { nullable: true, description: 'lower-case address when the bytes decode as one' }),
    text: t.exposeString('text', { nullable: true, description: 'the string when the bytes decode as abi.encode(string)' }),
  }),
})
