/*
 * nfq-delay: holds packets from one netfilter queue for a fixed delay plus uniform jitter, then
 * accepts them. The kernel here has no netem, so Faultline delays traffic with this helper and an
 * iptables rule `-j NFQUEUE --queue-num Q --queue-bypass` on the receiving side.
 *
 * Usage: nfq-delay QUEUE DELAY_MS [JITTER_MS]
 * Verdicts only (copy mode META); pending packets sit in a min-heap keyed by due time, so jitter
 * reorders them. When the heap is full a packet is accepted at once. SIGTERM/SIGINT accept every
 * held packet before exiting.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define HEAP_CAP 65536

struct held { uint64_t due_ns; uint32_t id; };

static struct held heap[HEAP_CAP];
static size_t heap_len;
static struct nfq_q_handle *qh;
static uint64_t delay_ns, jitter_ns;
static volatile sig_atomic_t stopping;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void heap_push(struct held h) {
  size_t i = heap_len++;
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (heap[parent].due_ns <= h.due_ns) break;
    heap[i] = heap[parent];
    i = parent;
  }
  heap[i] = h;
}

static struct held heap_pop(void) {
  struct held top = heap[0];
  struct held last = heap[--heap_len];
  size_t i = 0;
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= heap_len) break;
    if (child + 1 < heap_len && heap[child + 1].due_ns < heap[child].due_ns) child++;
    if (last.due_ns <= heap[child].due_ns) break;
    heap[i] = heap[child];
    i = child;
  }
  if (heap_len > 0) heap[i] = last;
  return top;
}

static int on_packet(struct nfq_q_handle *q, struct nfgenmsg *msg, struct nfq_data *nfa, void *data) {
  (void)msg;
  (void)data;
  struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
  if (!ph) return 0;
  uint32_t id = ntohl(ph->packet_id);
  if (heap_len >= HEAP_CAP) return nfq_set_verdict(q, id, NF_ACCEPT, 0, NULL);
  uint64_t extra = jitter_ns ? (uint64_t)((double)rand() / ((double)RAND_MAX + 1.0) * (double)jitter_ns) : 0;
  struct held h = { now_ns() + delay_ns + extra, id };
  heap_push(h);
  return 0;
}

static void release_due(uint64_t limit) {
  while (heap_len > 0 && heap[0].due_ns <= limit) {
    struct held h = heap_pop();
    nfq_set_verdict(qh, h.id, NF_ACCEPT, 0, NULL);
  }
}

static void on_signal(int sig) {
  (void)sig;
  stopping = 1;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s QUEUE DELAY_MS [JITTER_MS]\n", argv[0]);
    return 2;
  }
  int queue = atoi(argv[1]);
  delay_ns = (uint64_t)(atof(argv[2]) * 1e6);
  jitter_ns = argc > 3 ? (uint64_t)(atof(argv[3]) * 1e6) : 0;
  srand((unsigned)now_ns());

  struct nfq_handle *h = nfq_open();
  if (!h) { perror("nfq_open"); return 1; }
  nfq_unbind_pf(h, AF_INET);
  if (nfq_bind_pf(h, AF_INET) < 0) { perror("nfq_bind_pf"); return 1; }
  qh = nfq_create_queue(h, (uint16_t)queue, &on_packet, NULL);
  if (!qh) { perror("nfq_create_queue"); return 1; }
  if (nfq_set_mode(qh, NFQNL_COPY_META, 0) < 0) { perror("nfq_set_mode"); return 1; }
  nfq_set_queue_maxlen(qh, HEAP_CAP);
  nfq_set_queue_flags(qh, NFQA_CFG_F_FAIL_OPEN, NFQA_CFG_F_FAIL_OPEN);
  int fd = nfq_fd(h);
  int rcvbuf = 8 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);

  fprintf(stderr, "nfq-delay: queue %d, delay %.3f ms, jitter %.3f ms\n", queue, delay_ns / 1e6, jitter_ns / 1e6);
  char buf[65536];
  while (!stopping) {
    int timeout = -1;
    if (heap_len > 0) {
      uint64_t now = now_ns();
      timeout = heap[0].due_ns <= now ? 0 : (int)((heap[0].due_ns - now + 999999) / 1000000);
    }
    struct pollfd pfd = { fd, POLLIN, 0 };
    int r = poll(&pfd, 1, timeout);
    if (r < 0 && errno != EINTR) { perror("poll"); break; }
    if (r > 0) {
      for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0) {
          if (errno == ENOBUFS) { fprintf(stderr, "nfq-delay: kernel dropped queue messages (ENOBUFS)\n"); continue; }
          break;
        }
        nfq_handle_packet(h, buf, (int)n);
      }
    }
    release_due(now_ns());
  }
  release_due(UINT64_MAX);
  nfq_destroy_queue(qh);
  nfq_close(h);
  return 0;
}
