// Public HTTP routes of the custody log: the public keys that sign checkpoints and bundles (current and
// retired), and the signed checkpoints themselves, so anyone can keep them and check them with openssl.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Database } from '../db/types.ts';
import { Nullable } from '../lib/schema.ts';
import { listCheckpoints } from './custody.ts';
import { listPublicKeys } from './keys.ts';

const PublicKey = Type.Object(
  {
    keyId: Type.String({ description: 'the first 16 hex digits of the fingerprint' }),
    algorithm: Type.Literal('Ed25519'),
    fingerprintSha256: Type.String({ description: 'SHA-256 of the public key (DER, SubjectPublicKeyInfo)' }),
    publicKeyPem: Type.String(),
    createdAt: Type.String(),
    retiredAt: Nullable(Type.String({ description: 'when `vigil keys rotate` replaced it' })),
    current: Type.Boolean({ description: 'the key that signs new checkpoints and bundles' }),
  },
  { $id: 'CustodyPublicKey' },
);

const SignedCheckpoint = Type.Object(
  {
    id: Type.Integer(),
    headId: Type.Integer({ description: 'the custody entry at the head of the chain' }),
    headHash: Type.String({ description: "that entry's hash" }),
    at: Type.String(),
    keyId: Type.String(),
    signature: Type.String({ description: 'base64 Ed25519 signature over `message`' }),
    message: Type.String({
      description:
        'the signed text: "vigil-custody-checkpoint-v1\\n" + headId + "\\n" + headHash + "\\n" + at + "\\n"',
    }),
  },
  { $id: 'CustodyCheckpoint' },
);

export const custodyRoutes: FastifyPluginAsyncTypebox<{ db: Database; keyDir: string | null }> = async (
  app,
  { db, keyDir },
) => {
  app.get(
    '/custody/keys',
    {
      schema: {
        tags: ['evidence'],
        summary:
          'The public keys that sign custody checkpoints and export bundles, retired ones included (public)',
        response: { 200: Type.Object({ items: Type.Array(PublicKey) }) },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=60');
      return { items: await listPublicKeys(db, keyDir) };
    },
  );

  app.get(
    '/custody/checkpoints',
    {
      schema: {
        tags: ['evidence'],
        summary: 'Signed checkpoints of the custody chain, oldest first (public)',
        description:
          'A third party keeps these and checks each with the public key of `keyId` (see docs/evidence.md); a later ' +
          'rewrite of the log contradicts the checkpoints they hold. Page with `after` (the last `id` seen).',
        querystring: Type.Object(
          {
            after: Type.Integer({ minimum: 0, default: 0 }),
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(SignedCheckpoint), next: Nullable(Type.String()) }),
        },
      },
    },
    async (request) => {
      const items = await listCheckpoints(db, { afterId: request.query.after, limit: request.query.limit });
      const last = items.at(-1);
      return {
        items,
        next:
          items.length === request.query.limit && last
            ? `/api/v1/custody/checkpoints?after=${last.id}&limit=${request.query.limit}`
            : null,
      };
    },
  );
};
