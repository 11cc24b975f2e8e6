/*
 * The test images' only program (statically linked, a few hundred KB): each subcommand is one behaviour a real
 * workload shows, so a pod's args pick its fault.
 *   wk exit CODE [SECONDS]  print a line, wait SECONDS (default 0), exit with CODE
 *   wk serve                print a line, then run until SIGTERM (a healthy container)
 *   wk alloc MIB            touch MIB mebibytes one at a time (the kernel OOM-kills it past its memory limit)
 *   wk check PATH           exit 0 when PATH exists, else 1 (exec probes)
 *   wk env NAME             exit 0 when the environment variable NAME is set, else 1
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void quit(int sig) { (void)sig; _exit(0); }

static int usage(void) {
  fputs("usage: wk exit CODE [SECONDS] | serve | alloc MIB | check PATH | env NAME\n", stderr);
  return 2;
}

int main(int argc, char **argv) {
  if (argc < 2) return usage();
  const char *cmd = argv[1];
  setvbuf(stdout, NULL, _IONBF, 0);
  if (strcmp(cmd, "exit") == 0 && argc >= 3) {
    int code = atoi(argv[2]);
    printf("wk: starting; exiting with code %d\n", code);
    if (argc >= 4) sleep((unsigned)atoi(argv[3]));
    fprintf(stderr, "wk: fatal: exiting with code %d\n", code);
    return code;
  }
  if (strcmp(cmd, "serve") == 0) {
    signal(SIGTERM, quit);
    signal(SIGINT, quit);
    puts("wk: serving");
    for (;;) pause();
  }
  if (strcmp(cmd, "alloc") == 0 && argc >= 3) {
    long mib = atol(argv[2]);
    for (long i = 1; i <= mib; i++) {
      char *block = malloc(1 << 20);
      if (block == NULL) {
        fputs("wk: malloc failed\n", stderr);
        return 3;
      }
      memset(block, (int)i, 1 << 20);
      printf("wk: allocated %ld MiB\n", i);
    }
    puts("wk: allocation finished");
    for (;;) pause();
  }
  if (strcmp(cmd, "check") == 0 && argc >= 3) return access(argv[2], F_OK) == 0 ? 0 : 1;
  if (strcmp(cmd, "env") == 0 && argc >= 3) return getenv(argv[2]) != NULL ? 0 : 1;
  return usage();
}
