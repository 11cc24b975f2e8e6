/** The `mcp:` section: MCP servers that push faults, each listened to for good. */
import { z } from 'zod';

export const McpSchema = z
  .strictObject({
    servers: z
      .array(
        z.strictObject({
          name: z
            .string()
            .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a short name: lowercase letters, digits and dashes'),
          /** Streamable HTTP endpoint of the server... */
          url: z.url().optional(),
          /** ...or, for a local server, the command that runs it over stdio. */
          command: z.string().min(1).optional(),
          args: z.array(z.string()).default([]),
          /** The environment variable holding the server's bearer token (secrets never live in the file). */
          tokenEnv: z
            .string()
            .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name')
            .optional(),
          /** Our name for the server's cluster; default: the name the server reports. */
          cluster: z.string().min(1).max(128).optional(),
          mechanism: z.enum(['auto', 'logging', 'resources']).default('auto'),
          pingSeconds: z.number().int().min(1).max(600).default(30),
          /**
           * Minutes a fault of this server lives without being sent again; 0 = never expires. Unset: 30 for a
           * server that cannot be reconciled (no list_faults tool, no fault resources), else never.
           */
          faultTtlMinutes: z
            .number()
            .int()
            .min(0)
            .max(7 * 24 * 60, 'at most a week (10080 minutes)')
            .optional(),
        }),
      )
      .refine((servers) => servers.every((s) => (s.url === undefined) !== (s.command === undefined)), {
        message: 'each server needs either url (Streamable HTTP) or command (stdio), not both',
      })
      .max(1000)
      .default([])
      .refine(
        (servers) => new Set(servers.map((s) => s.name)).size === servers.length,
        'server names must be unique',
      ),
  })
  .prefault({});

export type McpFile = z.infer<typeof McpSchema>;
