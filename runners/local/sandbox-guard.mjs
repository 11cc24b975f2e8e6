// Runs an agent command for the local process runner and ties its life to Watchkeeper's: if the Watchkeeper
// process that started it dies (even by kill -9), the whole process group goes too, so an orphaned agent never
// keeps working (and spending) on a run whose result nobody will read. Usage: sandbox-guard.mjs <ppid> <cmd> [args]
import { spawn } from 'node:child_process';

const [parentArg, command, ...args] = process.argv.slice(2);
const parent = Number(parentArg);
// pid 1 is a real parent in a container (the in-pod runner is the container's init); when it dies, so does
// the container and everything in it.
if (!Number.isInteger(parent) || parent < 1 || !command) {
  process.stderr.write('usage: sandbox-guard.mjs <watchkeeper pid> <command> [args...]\n');
  process.exit(2);
}

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
};
const killGroup = () => {
  try {
    process.kill(-process.pid, 'SIGKILL');
  } catch {
    process.exit(137);
  }
};

const child = spawn(command, args, { stdio: 'inherit' });
const watch = setInterval(() => {
  if (process.ppid !== parent || !alive(parent)) killGroup();
}, 100);
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => child.kill(signal));
child.on('error', (error) => {
  process.stderr.write(`cannot start ${command}: ${error.message}\n`);
  process.exit(127);
});
child.on('exit', (code, signal) => {
  clearInterval(watch);
  process.exit(code ?? (signal ? 128 : 1));
});
