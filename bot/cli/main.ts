import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { ConfigError, InfraError } from '../../core/domain/errors.ts';
import { WatchkeeperError } from '../../core/domain/watchkeeper-error.ts';
import type { Config } from '../config/config.ts';
import { loadConfig } from '../config/load-config.ts';
import { printConfig } from '../config/print-config.ts';
import { secretEnv } from '../config/schema.ts';
import { createLogger } from '../log/create-logger.ts';
import { openDatabase } from '../wiring/adapters.ts';
import { startEmit } from '../wiring/emit.ts';
import { startRuntime } from '../wiring/runtime.ts';
import { CliError, fetchListeners, formatListeners } from './listeners-command.ts';
import { natsSetup } from './nats-setup-command.ts';

const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export interface CliIo {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); the signal name. */
  readonly stopRequested: Promise<string>;
}

/** Runs the CLI; resolves to the process exit code. Failures print one line naming what to fix. */
export async function runCli(io: CliIo): Promise<number> {
  const program = new Command()
    .name('watchkeeper')
    .description('Slack-first first-response triage of Kubernetes faults with AI agents')
    .version(version, '-V, --version')
    .option(
      '-c, --config <file>',
      'YAML configuration file (default: $WATCHKEEPER_CONFIG, else embedded defaults)',
    )
    .showHelpAfterError()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride()
    .addHelpText(
      'after',
      `\nSecrets come from the environment:\n${Object.entries(secretEnv)
        .map(([name, what]) => `  ${name}  ${what}`)
        .join('\n')}\n`,
    );
  let exitCode = 0;
  const config = (): Config => loadConfig({ file: program.opts<{ config?: string }>().config, env: io.env });

  program
    .command('start', { isDefault: true })
    .description('run Watchkeeper until SIGINT/SIGTERM (the default command)')
    .action(async () => {
      const settings = config();
      const logger = createLogger({ level: settings.log.level });
      logger.info({ version, config: settings.source }, `Watchkeeper ${version} starting`);
      if (Number(process.versions.node.split('.')[0]) < 22) {
        logger.warn(
          { node: process.version },
          'Node 22 or later is recommended: AWS SDK releases after January 2027 drop Node 20',
        );
      }
      const runtime = await startRuntime(settings, logger);
      await untilStopped(io, logger, runtime);
    });

  program
    .command('migrate')
    .description('apply database migrations and exit')
    .action(async () => {
      const store = await openDatabase(config());
      io.stdout(`${store.location}: ${store.migrationsApplied} migration(s) applied; schema is current\n`);
      await store.close();
    });

  const configCommand = program.command('config').description('inspect the configuration');
  configCommand
    .command('check')
    .description('validate the configuration and exit (non-zero when invalid)')
    .action(() => {
      io.stdout(`configuration OK (${config().source})\n`);
    });
  configCommand
    .command('print')
    .description('print the effective configuration, secrets redacted')
    .action(() => {
      io.stdout(printConfig(config()));
    });

  program
    .command('emit')
    .description(
      "serve this cluster's faults to MCP clients (Streamable HTTP at /mcp; token from WATCHKEEPER_EMIT_TOKEN)",
    )
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on', (value) => Number(value), 8788)
    .action(async (options: { host: string; port: number }) => {
      const settings = config();
      const logger = createLogger({ level: settings.log.level });
      const emit = await startEmit(
        settings,
        { host: options.host, port: options.port, token: io.env.WATCHKEEPER_EMIT_TOKEN, version },
        logger,
      );
      await untilStopped(io, logger, emit);
    });

  program
    .command('listeners')
    .description('show each MCP fault server the running Watchkeeper listens to, and its state')
    .option('--url <url>', 'the running Watchkeeper (default: from server.host and server.port)')
    .action(async (options: { url?: string }) => {
      const settings = config();
      const base = options.url ?? `http://${settings.server.host}:${settings.server.port}`;
      io.stdout(formatListeners(await fetchListeners(base)));
    });

  program
    .command('nats-setup')
    .description(
      'generate the keys and server configuration for NATS in operator mode (deploy/nats/README.md)',
    )
    .option('--out <dir>', 'a new folder for the files (keys readable by you only)', 'nats-setup')
    .action(async (options: { out: string }) => {
      io.stdout(await natsSetup(options.out));
    });

  program
    .command('version')
    .description('print the version')
    .action(() => {
      io.stdout(`${version}\n`);
    });

  const unknown = unknownCommand(program, io.argv);
  if (unknown !== undefined) {
    io.stderr(
      `watchkeeper: unknown command '${unknown}'; commands: ${program.commands.map((c) => c.name()).join(', ')} (see --help)\n`,
    );
    return 1;
  }
  try {
    await program.parseAsync([...io.argv], { from: 'user' });
  } catch (error) {
    exitCode = failure(error, io);
  }
  return exitCode;
}

/** Serves until SIGINT/SIGTERM, then stops `service` and says so. */
async function untilStopped(
  io: CliIo,
  logger: ReturnType<typeof createLogger>,
  service: { stop(): Promise<void> },
): Promise<void> {
  const signal = await io.stopRequested;
  logger.info({ signal }, `stopping (${signal})`);
  await service.stop();
  logger.info({}, 'stopped cleanly');
  logger.flush();
}

/** The first positional word when it names no command (commander would pass it to the default command). */
function unknownCommand(program: Command, argv: readonly string[]): string | undefined {
  const valueOptions = new Set(['-c', '--config']);
  for (let i = 0; i < argv.length; i += 1) {
    const word = argv[i] ?? '';
    if (valueOptions.has(word)) {
      i += 1;
      continue;
    }
    if (word.startsWith('-')) continue;
    const known =
      word === 'help' || program.commands.some((c) => c.name() === word || c.aliases().includes(word));
    return known ? undefined : word;
  }
  return undefined;
}

function failure(error: unknown, io: CliIo): number {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('commander.')) {
    const exit = (error as { exitCode?: number }).exitCode ?? 1;
    return code === 'commander.helpDisplayed' || code === 'commander.version' ? 0 : exit;
  }
  if (error instanceof ConfigError) {
    io.stderr(`watchkeeper: configuration error: ${oneLine(error.message)}\n`);
    return 2;
  }
  if (error instanceof CliError) {
    io.stderr(`watchkeeper: ${oneLine(error.message)}\n`);
    return 1;
  }
  if (error instanceof InfraError) {
    io.stderr(`watchkeeper: ${oneLine(error.message)}\n`);
    return 1;
  }
  if (error instanceof WatchkeeperError) {
    const hint = error.hint === undefined ? '' : `; ${error.hint}`;
    io.stderr(`watchkeeper: ${oneLine(error.message)}${hint} (${error.code})\n`);
    return 1;
  }
  io.stderr(
    `watchkeeper: unexpected error: ${oneLine(error instanceof Error ? (error.stack ?? error.message) : String(error))}\n`,
  );
  return 1;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' | ');
}
