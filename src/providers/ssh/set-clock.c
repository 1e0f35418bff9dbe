/*
 * set-clock: moves this host's wall clock (CLOCK_REALTIME) for the clock nemesis on real hosts
 * reached over ssh, where a DB may not honour libfaketime. The monotonic clock is untouched.
 *
 * Usage:
 *   set-clock now           prints the wall clock in ms since the epoch
 *   set-clock bump MS       moves the wall clock by MS milliseconds (negative: back)
 *
 * Reading and setting happen back to back in this process, so a bump adds no network latency;
 * the controller keeps the sum of its bumps and undoes it to reset. Prints the new wall clock.
 * Exit codes: 0 done, 1 the clock could not be read or set (errno printed), 2 bad usage.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t to_ms(const struct timespec *ts) {
  return (int64_t)ts->tv_sec * 1000 + ts->tv_nsec / 1000000;
}

static int usage(void) {
  fprintf(stderr, "usage: set-clock now | set-clock bump MS\n");
  return 2;
}

int main(int argc, char **argv) {
  struct timespec ts;
  if (argc < 2) return usage();
  if (clock_gettime(CLOCK_REALTIME, &ts) != 0) {
    fprintf(stderr, "set-clock: clock_gettime: %s\n", strerror(errno));
    return 1;
  }
  if (strcmp(argv[1], "now") == 0 && argc == 2) {
    printf("%lld\n", (long long)to_ms(&ts));
    return 0;
  }
  if (strcmp(argv[1], "bump") != 0 || argc != 3) return usage();
  char *end = NULL;
  errno = 0;
  long long delta_ms = strtoll(argv[2], &end, 10);
  if (errno != 0 || end == argv[2] || *end != '\0') return usage();
  int64_t ns = (int64_t)ts.tv_nsec + (delta_ms % 1000) * 1000000;
  int64_t sec = (int64_t)ts.tv_sec + delta_ms / 1000;
  if (ns < 0) {
    ns += 1000000000;
    sec -= 1;
  } else if (ns >= 1000000000) {
    ns -= 1000000000;
    sec += 1;
  }
  ts.tv_sec = (time_t)sec;
  ts.tv_nsec = (long)ns;
  if (clock_settime(CLOCK_REALTIME, &ts) != 0) {
    fprintf(stderr, "set-clock: clock_settime: %s\n", strerror(errno));
    return 1;
  }
  printf("%lld\n", (long long)to_ms(&ts));
  return 0;
}
