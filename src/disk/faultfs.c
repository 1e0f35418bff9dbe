/*
 * faultfs: a FUSE filesystem mounted over a directory, passing every operation through to that
 * same directory underneath (opened before the mount), that simulates a disk: it keeps what it
 * needs to undo every write and every directory change that was not fsynced, and injects faults
 * on command.
 *
 *   faultfs mount DIR --socket PATH --name FSNAME [--dirs journal|strict] [--log FILE]
 *       Mounts over DIR (fsname FSNAME, type fuse.faultfs), listens on the unix socket PATH, and
 *       prints {"ok":true,"pid":N} once the mount is up (the pid also goes to PATH.pid); the daemon
 *       runs until DIR is unmounted or it gets SIGTERM. (A copy of the mount in another mount
 *       namespace keeps the kernel's connection open after umount: SIGTERM ends it regardless.)
 *   faultfs ctl SOCKET COMMAND [key=value ...]
 *       Sends one command and prints the daemon's one-line JSON reply (exit 1 unless "ok").
 *
 * The disk model. The backing directory always holds what the page cache would show; beside it
 * the daemon keeps the last durable state:
 *   - file data: for every file changed since its last fsync, its size then and the old content
 *     of each 4 KiB page overwritten since (pages past that size need none); fsync or fdatasync
 *     of the file makes its data and size durable;
 *   - directory entries: for every directory changed since it was last committed, its entries
 *     then (name -> inode). When they become durable is the --dirs model:
 *       journal (default)  any fsync, of a file or a directory, commits every namespace change
 *                          made before it, as the ordered metadata journal of ext4 or xfs does;
 *                          a change no fsync followed is lost
 *       strict             only fsync of the directory commits its entries (POSIX's minimum):
 *                          finds the missing directory fsyncs that journalling filesystems hide;
 *                          a rename between two directories becomes durable in both when either
 *                          is fsynced (with every earlier pending rename of the same inode, a
 *                          rename within a directory not yet fsynced included)
 *     Names removed while still durable somewhere are parked as hard links (or renamed
 *     directories) in a hidden attic, DIR/.faultfs-attic, so their inodes can come back.
 *   Metadata (mode, owner, times) is passed through and always durable. sync(2)/syncfs(2) do not
 *   reach a FUSE filesystem, so only fsync of a file or directory counts.
 *
 * Commands (control socket):
 *   power-loss [torn] [seed=N]   every file back to its last fsynced content and size, every
 *                                directory back to its last fsynced entries; with torn, the last
 *                                write to each file (with the writes right before it that end
 *                                where the next begins: the kernel splits one write(2), and a
 *                                log's unsynced tail is one run) keeps a random page-aligned
 *                                prefix of 1..n-1 of the n pages it spans
 *   eio [ops=read,write,fsync] [rate=F] [path=GLOB] [seed=N]
 *                                EIO for that fraction of the ops (paths relative to DIR,
 *                                fnmatch without FNM_PATHNAME); a failed fsync makes nothing durable
 *   slow [ops=fsync,write,read] [dist=fixed|uniform|exp] [ms=N | min=N max=N | mean=N] [seed=N]
 *                                latency before each such op
 *   enospc bytes=N               writes succeed for N more bytes (the one crossing it is short),
 *                                then ENOSPC for writes, fallocate and new entries
 *   flip [rate=F] [path=GLOB] [seed=N]
 *                                a read returns one random bit flipped with probability F (the disk
 *                                is unchanged; flipped pages may stay in the kernel's cache until heal)
 *   heal                         clears every fault (not the durability tracking)
 *   status                       unsynced bytes, dirty files and directories, active faults, counts
 * A new command of a kind replaces the previous one of that kind. Activating or healing a read
 * fault drops the kernel's cached pages of every file, so the fault is seen at once.
 */
#define FUSE_USE_VERSION 312
#define _GNU_SOURCE
#include <fuse3/fuse_lowlevel.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/fs.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096
#define ATTIC ".faultfs-attic"
#define TIMEOUT 1.0
#define ZERO_PAGE ((void *)1)

/* ---------- a small u64 -> pointer hash map (chained) ---------- */

struct slot { uint64_t key; void *val; struct slot *next; };
struct map { struct slot **b; size_t nb, n; };

static size_t bucket(const struct map *m, uint64_t k) { return (size_t)((k * 0x9E3779B97F4A7C15ull) >> 20) & (m->nb - 1); }

static void map_grow(struct map *m) {
  size_t nb = m->nb ? m->nb * 2 : 64;
  struct slot **b = calloc(nb, sizeof *b);
  if (!b) abort();
  struct map next = { b, nb, m->n };
  for (size_t i = 0; i < m->nb; i++) {
    for (struct slot *s = m->b[i], *nx; s; s = nx) {
      nx = s->next;
      size_t j = bucket(&next, s->key);
      s->next = b[j];
      b[j] = s;
    }
  }
  free(m->b);
  *m = next;
}

static void *map_get(const struct map *m, uint64_t k) {
  if (!m->nb) return NULL;
  for (struct slot *s = m->b[bucket(m, k)]; s; s = s->next) if (s->key == k) return s->val;
  return NULL;
}

static void map_put(struct map *m, uint64_t k, void *v) {
  if (m->nb) {
    for (struct slot *s = m->b[bucket(m, k)]; s; s = s->next) if (s->key == k) { s->val = v; return; }
  }
  if (m->n + 1 > m->nb) map_grow(m);
  struct slot *s = malloc(sizeof *s);
  if (!s) abort();
  size_t j = bucket(m, k);
  *s = (struct slot){ k, v, m->b[j] };
  m->b[j] = s;
  m->n++;
}

static void *map_del(struct map *m, uint64_t k) {
  if (!m->nb) return NULL;
  for (struct slot **p = &m->b[bucket(m, k)]; *p; p = &(*p)->next) {
    if ((*p)->key == k) {
      struct slot *s = *p;
      void *v = s->val;
      *p = s->next;
      free(s);
      m->n--;
      return v;
    }
  }
  return NULL;
}

static void map_clear(struct map *m) {
  for (size_t i = 0; i < m->nb; i++) {
    for (struct slot *s = m->b[i], *nx; s; s = nx) { nx = s->next; free(s); }
  }
  free(m->b);
  *m = (struct map){ 0 };
}

#define MAP_EACH(m, s) for (size_t _i = 0; _i < (m)->nb; _i++) for (struct slot *s = (m)->b[_i]; s; s = s->next)

/* ---------- state ---------- */

struct filestate;
struct dirstate;

/** One backing inode the kernel or the durability tracking holds on to. */
struct fnode {
  int fd; /* O_PATH */
  uint64_t ino;
  bool is_dir;
  uint64_t nlookup; /* kernel references (tbl_mu) */
  int refs;         /* tracking references (tbl_mu) */
  pthread_mutex_t mu; /* file data: capture + write, fsync */
  struct filestate *fs; /* under mu */
  struct dirstate *ds;  /* under ns_mu */
};

/** A file changed since its last fsync: enough to put back its durable content. */
struct filestate {
  struct fnode *n;
  int rwfd;
  off_t durable_size;
  struct map pages; /* page index -> 4 KiB pre-image, or ZERO_PAGE */
  uint64_t unsynced;
  off_t last_off;
  size_t last_len; /* 0: no write to tear */
  struct filestate *prev, *next; /* files_mu */
};

struct snapent { char *name; uint64_t ino; bool is_dir; };

/** A directory changed since its last fsync: its durable entries. */
struct dirstate {
  struct fnode *n;
  struct snapent *e;
  size_t len, cap;
  struct dirstate *prev, *next; /* ns_mu */
};

/** A rename between two directories that is durable in neither yet. */
struct prename {
  struct fnode *src, *dst;
  char *srcname, *dstname;
  uint64_t ino;
  bool is_dir;
  struct prename *next;
};

static struct fuse_session *se;
static struct fnode root;
static dev_t root_dev;
static char root_path[PATH_MAX];
static int attic_fd = -1;
static bool strict_dirs; /* --dirs strict: only a directory's own fsync commits its entries */

static pthread_rwlock_t world; /* every operation shares it; power-loss takes it alone */
static pthread_mutex_t tbl_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t ns_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t files_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t fault_mu = PTHREAD_MUTEX_INITIALIZER;

static struct map table;     /* ino -> fnode (tbl_mu) */
static struct map snaprefs;  /* ino -> count of durable entries and pending renames naming it (ns_mu) */
static struct map attic;     /* ino -> 1 file, 2 directory (ns_mu) */
static struct filestate *files;
static struct dirstate *dirs;
static struct prename *renames;

/* ---------- faults ---------- */

enum { OP_READ = 1, OP_WRITE = 2, OP_FSYNC = 4 };
enum dist { DIST_FIXED, DIST_UNIFORM, DIST_EXP };

struct rng { uint64_t s; };

static uint64_t rng_next(struct rng *r) {
  uint64_t x = r->s;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  r->s = x;
  return x * 0x2545F4914F6CDD1Dull;
}

static double rng_unit(struct rng *r) { return (double)(rng_next(r) >> 11) / 9007199254740992.0; }

static void rng_seed(struct rng *r, uint64_t seed) { r->s = seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull; if (!r->s) r->s = 1; }

static struct {
  bool eio_on; int eio_ops; double eio_rate; char eio_path[256]; struct rng eio_rng;
  bool slow_on; int slow_ops; enum dist slow_dist; double slow_a, slow_b; struct rng slow_rng;
  bool enospc_on; uint64_t enospc_left;
  bool flip_on; double flip_rate; char flip_path[256]; struct rng flip_rng;
} F;

static struct {
  uint64_t eio, slow, slow_ms, enospc, flip, power_loss, torn;
} applied;

static uint64_t now_seed(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)getpid();
}

/* ---------- nodes ---------- */

static struct fnode *node_of(fuse_ino_t id) { return id == FUSE_ROOT_ID ? &root : (struct fnode *)(uintptr_t)id; }
static fuse_ino_t id_of(const struct fnode *n) { return n == &root ? FUSE_ROOT_ID : (fuse_ino_t)(uintptr_t)n; }

static void proc_path(char *buf, int fd) { snprintf(buf, 64, "/proc/self/fd/%d", fd); }

static bool hidden(const struct fnode *parent, const char *name) { return parent == &root && strcmp(name, ATTIC) == 0; }

/** Frees a node nobody holds any more (tbl_mu held). */
static void maybe_free(struct fnode *n) {
  if (n == &root || n->nlookup > 0 || n->refs > 0) return;
  map_del(&table, n->ino);
  close(n->fd);
  pthread_mutex_destroy(&n->mu);
  free(n);
}

static void node_ref(struct fnode *n) {
  pthread_mutex_lock(&tbl_mu);
  n->refs++;
  pthread_mutex_unlock(&tbl_mu);
}

static void node_unref(struct fnode *n) {
  pthread_mutex_lock(&tbl_mu);
  n->refs--;
  maybe_free(n);
  pthread_mutex_unlock(&tbl_mu);
}

/** Looks `name` up under `parent`, counting one kernel reference; fills `e`. Returns an errno. */
static int do_lookup(struct fnode *parent, const char *name, struct fuse_entry_param *e) {
  memset(e, 0, sizeof *e);
  e->attr_timeout = TIMEOUT;
  e->entry_timeout = TIMEOUT;
  if (hidden(parent, name)) return ENOENT;
  int fd = openat(parent->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return errno;
  if (fstatat(fd, "", &e->attr, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
    int err = errno;
    close(fd);
    return err;
  }
  if (e->attr.st_dev != root_dev) {
    close(fd);
    return EXDEV;
  }
  pthread_mutex_lock(&tbl_mu);
  struct fnode *n = map_get(&table, e->attr.st_ino);
  if (n) {
    n->nlookup++;
    close(fd);
  } else {
    n = calloc(1, sizeof *n);
    if (!n) abort();
    n->fd = fd;
    n->ino = e->attr.st_ino;
    n->is_dir = S_ISDIR(e->attr.st_mode);
    n->nlookup = 1;
    pthread_mutex_init(&n->mu, NULL);
    map_put(&table, n->ino, n);
  }
  pthread_mutex_unlock(&tbl_mu);
  e->ino = id_of(n);
  return 0;
}

/** The node's path relative to DIR, as the kernel names its inode now (for path patterns). */
static void rel_path(const struct fnode *n, char *out, size_t size) {
  char link[64], full[PATH_MAX];
  proc_path(link, n->fd);
  ssize_t len = readlink(link, full, sizeof full - 1);
  if (len < 0) { out[0] = 0; return; }
  full[len] = 0;
  size_t rl = strlen(root_path);
  const char *rel = full;
  if (strncmp(full, root_path, rl) == 0 && (full[rl] == '/' || full[rl] == 0)) rel = full + rl + (full[rl] == '/');
  snprintf(out, size, "%s", rel);
}

/* ---------- fault checks ---------- */

static bool matches(const char *pattern, const struct fnode *n) {
  if (!pattern[0]) return true;
  char rel[PATH_MAX];
  rel_path(n, rel, sizeof rel);
  return fnmatch(pattern, rel, 0) == 0;
}

/** True when this op should fail with EIO. */
static bool inject_eio(int op, const struct fnode *n) {
  if (!__atomic_load_n(&F.eio_on, __ATOMIC_RELAXED)) return false;
  char pattern[256];
  pthread_mutex_lock(&fault_mu);
  bool on = F.eio_on && (F.eio_ops & op);
  snprintf(pattern, sizeof pattern, "%s", F.eio_path);
  pthread_mutex_unlock(&fault_mu);
  if (!on || !matches(pattern, n)) return false;
  pthread_mutex_lock(&fault_mu);
  bool hit = F.eio_on && rng_unit(&F.eio_rng) < F.eio_rate;
  if (hit) applied.eio++;
  pthread_mutex_unlock(&fault_mu);
  return hit;
}

/** Sleeps for the slow fault's latency when it covers this op. */
static void inject_delay(int op) {
  if (!__atomic_load_n(&F.slow_on, __ATOMIC_RELAXED)) return;
  double ms = 0;
  pthread_mutex_lock(&fault_mu);
  if (F.slow_on && (F.slow_ops & op)) {
    if (F.slow_dist == DIST_FIXED) ms = F.slow_a;
    else if (F.slow_dist == DIST_UNIFORM) ms = F.slow_a + (F.slow_b - F.slow_a) * rng_unit(&F.slow_rng);
    else ms = -F.slow_a * log1p(-rng_unit(&F.slow_rng));
    applied.slow++;
    applied.slow_ms += (uint64_t)(ms + 0.5);
  }
  pthread_mutex_unlock(&fault_mu);
  if (ms <= 0) return;
  struct timespec ts = { (time_t)(ms / 1000), (long)(fmod(ms, 1000) * 1e6) };
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {}
}

/** Takes up to `want` bytes of the space budget; returns what may be written (0: ENOSPC). */
static size_t take_space(size_t want) {
  if (!__atomic_load_n(&F.enospc_on, __ATOMIC_RELAXED)) return want;
  pthread_mutex_lock(&fault_mu);
  size_t got = want;
  if (F.enospc_on) {
    if (F.enospc_left < want) {
      got = (size_t)F.enospc_left;
      applied.enospc++;
    }
    F.enospc_left -= got;
  }
  pthread_mutex_unlock(&fault_mu);
  return got;
}

static bool out_of_space(void) {
  if (!__atomic_load_n(&F.enospc_on, __ATOMIC_RELAXED)) return false;
  pthread_mutex_lock(&fault_mu);
  bool full = F.enospc_on && F.enospc_left == 0;
  if (full) applied.enospc++;
  pthread_mutex_unlock(&fault_mu);
  return full;
}

static void inject_flip(const struct fnode *n, char *buf, size_t len) {
  if (len == 0 || !__atomic_load_n(&F.flip_on, __ATOMIC_RELAXED)) return;
  char pattern[256];
  pthread_mutex_lock(&fault_mu);
  snprintf(pattern, sizeof pattern, "%s", F.flip_path);
  pthread_mutex_unlock(&fault_mu);
  if (!matches(pattern, n)) return;
  pthread_mutex_lock(&fault_mu);
  if (F.flip_on && rng_unit(&F.flip_rng) < F.flip_rate) {
    uint64_t bit = rng_next(&F.flip_rng) % ((uint64_t)len * 8);
    buf[bit / 8] ^= (char)(1u << (bit % 8));
    applied.flip++;
  }
  pthread_mutex_unlock(&fault_mu);
}

/* ---------- file data tracking ---------- */

static int reopen_rw(const struct fnode *n) {
  char p[64];
  proc_path(p, n->fd);
  return open(p, O_RDWR | O_CLOEXEC);
}

/** The file's tracking state, created (with its durable size) before its first change (n->mu held). */
static struct filestate *filestate_of(struct fnode *n, int *err) {
  if (n->fs) return n->fs;
  struct filestate *fs = calloc(1, sizeof *fs);
  if (!fs) abort();
  fs->rwfd = reopen_rw(n);
  struct stat st;
  if (fs->rwfd < 0 || fstat(fs->rwfd, &st) < 0) {
    *err = errno;
    if (fs->rwfd >= 0) close(fs->rwfd);
    free(fs);
    return NULL;
  }
  fs->n = n;
  fs->durable_size = st.st_size;
  node_ref(n);
  n->fs = fs;
  pthread_mutex_lock(&files_mu);
  fs->next = files;
  if (files) files->prev = fs;
  files = fs;
  pthread_mutex_unlock(&files_mu);
  return fs;
}

/** Forgets a file's tracking: its current content is durable (n->mu held, or the world alone). */
static void filestate_drop(struct filestate *fs) {
  pthread_mutex_lock(&files_mu);
  if (fs->prev) fs->prev->next = fs->next;
  else files = fs->next;
  if (fs->next) fs->next->prev = fs->prev;
  pthread_mutex_unlock(&files_mu);
  MAP_EACH(&fs->pages, s) if (s->val != ZERO_PAGE) free(s->val);
  map_clear(&fs->pages);
  close(fs->rwfd);
  fs->n->fs = NULL;
  struct fnode *n = fs->n;
  free(fs);
  node_unref(n);
}

static bool all_zero(const char *p, size_t len) {
  for (size_t i = 0; i < len; i++) if (p[i]) return false;
  return true;
}

/** Saves the durable content of the pages in [from, to) not saved yet. Returns an errno. */
static int capture(struct filestate *fs, off_t from, off_t to) {
  if (to > fs->durable_size) to = fs->durable_size;
  if (from >= to) return 0;
  for (uint64_t p = (uint64_t)from / PAGE; p <= (uint64_t)(to - 1) / PAGE; p++) {
    if (map_get(&fs->pages, p)) continue;
    char *buf = malloc(PAGE);
    if (!buf) return ENOMEM;
    ssize_t got = pread(fs->rwfd, buf, PAGE, (off_t)(p * PAGE));
    if (got < 0) { free(buf); return errno; }
    memset(buf + got, 0, PAGE - (size_t)got);
    if (all_zero(buf, PAGE)) { free(buf); map_put(&fs->pages, p, ZERO_PAGE); }
    else map_put(&fs->pages, p, buf);
  }
  return 0;
}

/** Truncates through the tracking (n->mu held). `fd` may be -1: the tracking's own fd is used. */
static int tracked_truncate(struct fnode *n, off_t size, int fd) {
  int err = 0;
  struct filestate *fs = filestate_of(n, &err);
  if (!fs) return err;
  struct stat st;
  if (fstat(fs->rwfd, &st) < 0) return errno;
  if (size < st.st_size && (err = capture(fs, size, st.st_size))) return err;
  if (ftruncate(fd >= 0 ? fd : fs->rwfd, size) < 0) return errno;
  fs->last_len = 0;
  return 0;
}

/** Makes the file durable: fsyncs the backing file and forgets its tracking. Returns an errno. */
static int commit_file(struct fnode *n, int fd, int datasync) {
  pthread_mutex_lock(&n->mu);
  int r = datasync ? fdatasync(fd) : fsync(fd);
  int err = r < 0 ? errno : 0;
  if (!err && n->fs) filestate_drop(n->fs);
  pthread_mutex_unlock(&n->mu);
  return err;
}

/** The node of a backing inode with a reference taken (node_unref when done), or NULL. */
static struct fnode *hold_node(uint64_t ino) {
  pthread_mutex_lock(&tbl_mu);
  struct fnode *n = map_get(&table, ino);
  if (n) n->refs++;
  pthread_mutex_unlock(&tbl_mu);
  return n;
}

/** Forgets the data tracking of an inode that has no name left anywhere (ns_mu held). */
static void forget_if_unlinked(uint64_t ino) {
  struct fnode *n = hold_node(ino);
  if (!n) return;
  struct stat st;
  pthread_mutex_lock(&n->mu);
  if (n->fs && fstat(n->fs->rwfd, &st) == 0 && st.st_nlink == 0) filestate_drop(n->fs);
  pthread_mutex_unlock(&n->mu);
  node_unref(n);
}

/* ---------- directory tracking (ns_mu held throughout) ---------- */

static uintptr_t snapref(uint64_t ino) { return (uintptr_t)map_get(&snaprefs, ino); }

static void snapref_add(uint64_t ino, int d) {
  uintptr_t c = snapref(ino) + (uintptr_t)(intptr_t)d;
  if (c) map_put(&snaprefs, ino, (void *)c);
  else map_del(&snaprefs, ino);
}

static void snap_push(struct dirstate *ds, const char *name, uint64_t ino, bool is_dir) {
  if (ds->len == ds->cap) {
    ds->cap = ds->cap ? ds->cap * 2 : 16;
    ds->e = realloc(ds->e, ds->cap * sizeof *ds->e);
    if (!ds->e) abort();
  }
  ds->e[ds->len++] = (struct snapent){ strdup(name), ino, is_dir };
  snapref_add(ino, 1);
}

static long snap_find(const struct dirstate *ds, const char *name) {
  for (size_t i = 0; i < ds->len; i++) if (strcmp(ds->e[i].name, name) == 0) return (long)i;
  return -1;
}

static void snap_remove(struct dirstate *ds, size_t i) {
  snapref_add(ds->e[i].ino, -1);
  free(ds->e[i].name);
  ds->e[i] = ds->e[--ds->len];
}

static void snap_set(struct dirstate *ds, const char *name, uint64_t ino, bool is_dir) {
  long i = snap_find(ds, name);
  if (i >= 0) snap_remove(ds, (size_t)i);
  snap_push(ds, name, ino, is_dir);
}

static struct dirstate *dirstate_new(struct fnode *n) {
  struct dirstate *ds = calloc(1, sizeof *ds);
  if (!ds) abort();
  ds->n = n;
  node_ref(n);
  n->ds = ds;
  ds->next = dirs;
  if (dirs) dirs->prev = ds;
  dirs = ds;
  return ds;
}

static void dirstate_drop(struct dirstate *ds) {
  while (ds->len) snap_remove(ds, ds->len - 1);
  free(ds->e);
  if (ds->prev) ds->prev->next = ds->next;
  else dirs = ds->next;
  if (ds->next) ds->next->prev = ds->prev;
  ds->n->ds = NULL;
  struct fnode *n = ds->n;
  free(ds);
  node_unref(n);
}

/** Calls fn for every entry of the backing directory (not the attic); stops at a non-zero return. */
static int each_entry(struct fnode *dir, int (*fn)(void *, int, const char *, const struct stat *), void *arg) {
  int fd = openat(dir->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno;
  DIR *dp = fdopendir(fd);
  if (!dp) { int err = errno; close(fd); return err; }
  int r = 0;
  struct dirent *d;
  while (r == 0 && (d = readdir(dp))) {
    if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0 || hidden(dir, d->d_name)) continue;
    struct stat st;
    if (fstatat(dirfd(dp), d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) continue;
    r = fn(arg, dirfd(dp), d->d_name, &st);
  }
  closedir(dp);
  return r;
}

static int snap_entry(void *arg, int dfd, const char *name, const struct stat *st) {
  (void)dfd;
  snap_push(arg, name, st->st_ino, S_ISDIR(st->st_mode));
  return 0;
}

/** Records the directory's entries as durable before its first change since its last fsync. */
static int ensure_dirstate(struct fnode *dir) {
  if (dir->ds) return 0;
  struct dirstate *ds = dirstate_new(dir);
  int err = each_entry(dir, snap_entry, ds);
  if (err) dirstate_drop(ds);
  return err;
}

static void attic_name(char *buf, uint64_t ino) { snprintf(buf, 32, "ino-%" PRIu64, ino); }

/** Moves an entry into the attic (or drops the name when the attic already holds the inode). */
static int park(int dfd, const char *name, uint64_t ino, bool is_dir) {
  char an[32];
  attic_name(an, ino);
  if (map_get(&attic, ino)) return unlinkat(dfd, name, is_dir ? AT_REMOVEDIR : 0) < 0 ? errno : 0;
  if (renameat(dfd, name, attic_fd, an) < 0) return errno;
  map_put(&attic, ino, (void *)(uintptr_t)(is_dir ? 2 : 1));
  return 0;
}

/** Puts a parked entry back under `name` (the attic keeps files' links until the next GC). */
static int unpark(int dfd, const char *name, uint64_t ino) {
  char an[32];
  attic_name(an, ino);
  uintptr_t kind = (uintptr_t)map_get(&attic, ino);
  if (!kind) return ENOENT;
  if (kind == 2) {
    if (renameat(attic_fd, an, dfd, name) < 0) return errno;
    map_del(&attic, ino);
    return 0;
  }
  return linkat(attic_fd, an, dfd, name, 0) < 0 ? errno : 0;
}

static int remove_tree(int dfd, const char *name) {
  int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return unlinkat(dfd, name, 0) < 0 && errno != ENOENT ? errno : 0;
  DIR *dp = fdopendir(fd);
  if (!dp) { close(fd); return errno; }
  struct dirent *d;
  while ((d = readdir(dp))) {
    if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0) continue;
    struct stat st;
    bool is_dir = d->d_type == DT_DIR || (d->d_type == DT_UNKNOWN && fstatat(dirfd(dp), d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode));
    if (is_dir) remove_tree(dirfd(dp), d->d_name);
    else unlinkat(dirfd(dp), d->d_name, 0);
  }
  closedir(dp);
  return unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT ? errno : 0;
}

static void forget_dir(uint64_t ino);

/**
 * Deletes the parked inodes nothing durable or pending names any more. A deleted directory's own
 * tracked entries go with it, which may free more parked inodes: repeat until none is left.
 */
static void gc_attic(void) {
  for (bool again = true; again;) {
    uint64_t gone[256];
    size_t n = 0;
    MAP_EACH(&attic, s) {
      if (n < 256 && snapref(s->key) == 0) gone[n++] = s->key;
    }
    again = n > 0;
    for (size_t i = 0; i < n; i++) {
      char an[32];
      attic_name(an, gone[i]);
      uintptr_t kind = (uintptr_t)map_del(&attic, gone[i]);
      if (kind == 2) {
        remove_tree(attic_fd, an);
        forget_dir(gone[i]);
      } else {
        unlinkat(attic_fd, an, 0);
        forget_if_unlinked(gone[i]);
      }
    }
  }
}

/** A directory was deleted for real: nothing durable named it, so neither do its tracked entries. */
static void forget_dir(uint64_t ino) {
  struct fnode *n = hold_node(ino);
  if (!n) return;
  if (n->ds) dirstate_drop(n->ds);
  node_unref(n);
}

/**
 * Removes a name: parked when its inode is still durable somewhere or named by a pending rename
 * (so it can come back, and its number is not reused meanwhile), deleted otherwise.
 */
static int remove_entry(struct fnode *parent, const char *name, bool want_dir) {
  struct stat st;
  if (fstatat(parent->fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) return errno;
  bool is_dir = S_ISDIR(st.st_mode);
  if (want_dir && !is_dir) return ENOTDIR;
  if (!want_dir && is_dir) return EISDIR;
  if (snapref(st.st_ino) == 0) {
    if (unlinkat(parent->fd, name, is_dir ? AT_REMOVEDIR : 0) < 0) return errno;
    if (is_dir) forget_dir(st.st_ino);
    else forget_if_unlinked(st.st_ino);
    return 0;
  }
  if (is_dir) {
    /* rmdir must still refuse a non-empty directory before it is parked. */
    int fd = openat(parent->fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno;
    DIR *dp = fdopendir(fd);
    if (!dp) { close(fd); return errno; }
    struct dirent *d;
    bool empty = true;
    while ((d = readdir(dp))) if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..")) { empty = false; break; }
    closedir(dp);
    if (!empty) return ENOTEMPTY;
  }
  return park(parent->fd, name, st.st_ino, is_dir);
}

static void prename_free(struct prename *r) {
  snapref_add(r->ino, -1);
  free(r->srcname);
  free(r->dstname);
  node_unref(r->src);
  node_unref(r->dst);
  free(r);
}

/** Applies one pending rename to the durable entries of both directories and forgets it. */
static void commit_rename(struct prename *r) {
  /* Earlier pending renames of the same inode come first: a journal keeps their order. */
  for (struct prename **p = &renames; *p && *p != r;) {
    if ((*p)->ino == r->ino) {
      commit_rename(*p);
      p = &renames;
    } else {
      p = &(*p)->next;
    }
  }
  if (r->src->ds) {
    long i = snap_find(r->src->ds, r->srcname);
    if (i >= 0 && r->src->ds->e[i].ino == r->ino) snap_remove(r->src->ds, (size_t)i);
  }
  if (r->dst->ds) snap_set(r->dst->ds, r->dstname, r->ino, r->is_dir);
  for (struct prename **p = &renames; *p; p = &(*p)->next) {
    if (*p == r) { *p = r->next; break; }
  }
  prename_free(r);
}

/** Every namespace change so far is durable (the journal model's commit). */
static void commit_all_dirs(void) {
  while (renames) {
    struct prename *r = renames;
    renames = r->next;
    prename_free(r);
  }
  while (dirs) dirstate_drop(dirs);
  gc_attic();
}

/** The directory was fsynced: its current entries are durable, with its pending renames. */
static void commit_dir(struct fnode *dir) {
  if (dir->ds) dirstate_drop(dir->ds);
  for (struct prename *r = renames; r;) {
    if (r->src == dir || r->dst == dir) {
      commit_rename(r);
      r = renames;
    } else {
      r = r->next;
    }
  }
  gc_attic();
}

static void add_prename(struct fnode *src, const char *srcname, struct fnode *dst, const char *dstname, uint64_t ino, bool is_dir) {
  struct prename *r = calloc(1, sizeof *r);
  if (!r) abort();
  *r = (struct prename){ src, dst, strdup(srcname), strdup(dstname), ino, is_dir, NULL };
  snapref_add(ino, 1);
  node_ref(src);
  node_ref(dst);
  struct prename **p = &renames;
  while (*p) p = &(*p)->next;
  *p = r;
}

/* ---------- power loss ---------- */

struct inval { fuse_ino_t parent; char *name; struct fnode *hold; struct inval *next; };

struct loss {
  struct inval *inval;
  uint64_t dropped;
  unsigned files, dirs, missing, torn;
  struct rng rng;
  bool tear;
  char *torn_json;
  size_t torn_len, torn_cap;
};

static void add_inval(struct loss *L, struct fnode *n, const char *name) {
  struct inval *v = calloc(1, sizeof *v);
  if (!v) abort();
  node_ref(n);
  *v = (struct inval){ id_of(n), name ? strdup(name) : NULL, n, L->inval };
  L->inval = v;
}

static void json_str(char *out, size_t size, const char *s) {
  size_t o = 0;
  if (o + 1 < size) out[o++] = '"';
  for (; *s && o + 7 < size; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') { out[o++] = '\\'; out[o++] = (char)c; }
    else if (c < 0x20) o += (size_t)snprintf(out + o, size - o, "\\u%04x", c);
    else out[o++] = (char)c;
  }
  if (o + 1 < size) out[o++] = '"';
  out[o] = 0;
}

static void torn_note(struct loss *L, const struct fnode *n, off_t off, size_t len, size_t kept) {
  char rel[PATH_MAX], q[PATH_MAX * 2 + 8], item[PATH_MAX * 2 + 128];
  rel_path(n, rel, sizeof rel);
  json_str(q, sizeof q, rel);
  int w = snprintf(item, sizeof item, "%s{\"path\":%s,\"offset\":%lld,\"length\":%zu,\"kept\":%zu}", L->torn_len ? "," : "", q, (long long)off, len, kept);
  if (w < 0 || L->torn > 64) return;
  if (L->torn_len + (size_t)w + 1 > L->torn_cap) {
    L->torn_cap = (L->torn_len + (size_t)w + 1) * 2;
    L->torn_json = realloc(L->torn_json, L->torn_cap);
    if (!L->torn_json) abort();
  }
  memcpy(L->torn_json + L->torn_len, item, (size_t)w + 1);
  L->torn_len += (size_t)w;
}

static void restore_file(struct loss *L, struct filestate *fs) {
  static const char zeros[PAGE];
  char *keep = NULL;
  size_t kept = 0;
  off_t off = fs->last_off;
  if (L->tear && fs->last_len > 0) {
    uint64_t first = (uint64_t)off / PAGE, last = (uint64_t)(off + (off_t)fs->last_len - 1) / PAGE;
    uint64_t pages = last - first + 1;
    if (pages >= 2) {
      uint64_t k = 1 + rng_next(&L->rng) % (pages - 1);
      kept = (size_t)((off_t)((first + k) * PAGE) - off);
      keep = malloc(kept);
      if (keep && pread(fs->rwfd, keep, kept, off) != (ssize_t)kept) { free(keep); keep = NULL; }
      if (keep) {
        L->torn++;
        applied.torn++;
        torn_note(L, fs->n, off, fs->last_len, kept);
      }
    }
  }
  if (ftruncate(fs->rwfd, fs->durable_size) < 0) L->missing++;
  MAP_EACH(&fs->pages, s) {
    off_t at = (off_t)(s->key * PAGE);
    if (at >= fs->durable_size) continue;
    size_t len = (size_t)(fs->durable_size - at < PAGE ? fs->durable_size - at : PAGE);
    if (pwrite(fs->rwfd, s->val == ZERO_PAGE ? zeros : s->val, len, at) != (ssize_t)len) L->missing++;
  }
  if (keep) {
    if (pwrite(fs->rwfd, keep, kept, off) != (ssize_t)kept) L->missing++;
    free(keep);
  }
  L->dropped += fs->unsynced;
  L->files++;
  add_inval(L, fs->n, NULL);
}

struct dir_pass { struct loss *L; struct dirstate *ds; };

static int park_undurable(void *arg, int dfd, const char *name, const struct stat *st) {
  struct dir_pass *p = arg;
  long i = snap_find(p->ds, name);
  if (i >= 0 && p->ds->e[i].ino == st->st_ino) return 0;
  if (park(dfd, name, st->st_ino, S_ISDIR(st->st_mode))) p->L->missing++;
  add_inval(p->L, p->ds->n, name);
  return 0;
}

/** Puts every file and directory back to its durable state (the world lock held alone). */
static void lose_power(struct loss *L) {
  pthread_mutex_lock(&ns_mu);
  while (files) restore_file(L, files), filestate_drop(files);
  /* First every entry that is not durable leaves its directory, then the durable ones come back. */
  for (struct dirstate *ds = dirs; ds; ds = ds->next) {
    struct dir_pass p = { L, ds };
    each_entry(ds->n, park_undurable, &p);
    add_inval(L, ds->n, NULL);
    L->dirs++;
  }
  for (struct dirstate *ds = dirs; ds; ds = ds->next) {
    for (size_t i = 0; i < ds->len; i++) {
      struct stat st;
      if (fstatat(ds->n->fd, ds->e[i].name, &st, AT_SYMLINK_NOFOLLOW) == 0) continue;
      if (unpark(ds->n->fd, ds->e[i].name, ds->e[i].ino)) L->missing++;
      add_inval(L, ds->n, ds->e[i].name);
    }
  }
  commit_all_dirs(); /* what the restore left is the disk now */
  pthread_mutex_unlock(&ns_mu);
}

/** Tells the kernel to forget what it cached of the changed entries and inodes. */
static void send_invals(struct inval *v) {
  while (v) {
    struct inval *next = v->next;
    if (v->name) fuse_lowlevel_notify_inval_entry(se, v->parent, v->name, strlen(v->name));
    else fuse_lowlevel_notify_inval_inode(se, v->parent, 0, 0);
    node_unref(v->hold);
    free(v->name);
    free(v);
    v = next;
  }
}

/** Drops the kernel's cached pages of every known file, so a read fault is seen at once. */
static void drop_page_caches(void) {
  struct loss L = { 0 };
  pthread_mutex_lock(&tbl_mu);
  MAP_EACH(&table, s) {
    struct fnode *n = s->val;
    if (n->is_dir) continue;
    struct inval *v = calloc(1, sizeof *v);
    if (!v) abort();
    n->refs++;
    *v = (struct inval){ id_of(n), NULL, n, L.inval };
    L.inval = v;
  }
  pthread_mutex_unlock(&tbl_mu);
  send_invals(L.inval);
}

/* ---------- FUSE operations ---------- */

#define WORLD_SHARED() pthread_rwlock_rdlock(&world)
#define WORLD_DONE() pthread_rwlock_unlock(&world)

static void fs_init(void *userdata, struct fuse_conn_info *conn) {
  (void)userdata;
  conn->want &= ~(unsigned)(FUSE_CAP_WRITEBACK_CACHE | FUSE_CAP_HANDLE_KILLPRIV | FUSE_CAP_EXPORT_SUPPORT);
}

static void fs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name) {
  struct fuse_entry_param e;
  WORLD_SHARED();
  int err = do_lookup(node_of(parent), name, &e);
  WORLD_DONE();
  if (err == ENOENT) {
    /* A negative entry the kernel may cache: a power loss that brings the name back invalidates it. */
    memset(&e, 0, sizeof e);
    e.entry_timeout = TIMEOUT;
    fuse_reply_entry(req, &e);
  } else if (err) {
    fuse_reply_err(req, err);
  } else {
    fuse_reply_entry(req, &e);
  }
}

static void forget_one(fuse_ino_t id, uint64_t nlookup) {
  struct fnode *n = node_of(id);
  if (n == &root) return;
  pthread_mutex_lock(&tbl_mu);
  n->nlookup -= nlookup;
  maybe_free(n);
  pthread_mutex_unlock(&tbl_mu);
}

static void fs_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) {
  forget_one(ino, nlookup);
  fuse_reply_none(req);
}

static void fs_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets) {
  for (size_t i = 0; i < count; i++) forget_one(forgets[i].ino, forgets[i].nlookup);
  fuse_reply_none(req);
}

static void fs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  (void)fi;
  struct stat st;
  WORLD_SHARED();
  int r = fstatat(node_of(ino)->fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
  int err = r < 0 ? errno : 0;
  WORLD_DONE();
  if (err) fuse_reply_err(req, err);
  else fuse_reply_attr(req, &st, TIMEOUT);
}

static void fs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int valid, struct fuse_file_info *fi) {
  struct fnode *n = node_of(ino);
  char p[64];
  proc_path(p, n->fd);
  int err = 0;
  WORLD_SHARED();
  if (!err && (valid & FUSE_SET_ATTR_MODE)) {
    int r = fi ? fchmod((int)fi->fh, attr->st_mode) : fchmodat(AT_FDCWD, p, attr->st_mode, 0);
    if (r < 0) err = errno;
  }
  if (!err && (valid & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID))) {
    uid_t uid = (valid & FUSE_SET_ATTR_UID) ? attr->st_uid : (uid_t)-1;
    gid_t gid = (valid & FUSE_SET_ATTR_GID) ? attr->st_gid : (gid_t)-1;
    if (fchownat(n->fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) err = errno;
  }
  if (!err && (valid & FUSE_SET_ATTR_SIZE)) {
    pthread_mutex_lock(&n->mu);
    err = tracked_truncate(n, attr->st_size, fi ? (int)fi->fh : -1);
    pthread_mutex_unlock(&n->mu);
  }
  if (!err && (valid & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME))) {
    struct timespec tv[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };
    if (valid & FUSE_SET_ATTR_ATIME_NOW) tv[0].tv_nsec = UTIME_NOW;
    else if (valid & FUSE_SET_ATTR_ATIME) tv[0] = attr->st_atim;
    if (valid & FUSE_SET_ATTR_MTIME_NOW) tv[1].tv_nsec = UTIME_NOW;
    else if (valid & FUSE_SET_ATTR_MTIME) tv[1] = attr->st_mtim;
    int r = fi ? futimens((int)fi->fh, tv) : utimensat(AT_FDCWD, p, tv, 0);
    if (r < 0) err = errno;
  }
  struct stat st;
  if (!err && fstatat(n->fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) err = errno;
  WORLD_DONE();
  if (err) fuse_reply_err(req, err);
  else fuse_reply_attr(req, &st, TIMEOUT);
}

static void fs_readlink(fuse_req_t req, fuse_ino_t ino) {
  char buf[PATH_MAX + 1];
  WORLD_SHARED();
  ssize_t len = readlinkat(node_of(ino)->fd, "", buf, sizeof buf - 1);
  int err = len < 0 ? errno : 0;
  WORLD_DONE();
  if (err) return (void)fuse_reply_err(req, err);
  buf[len] = 0;
  fuse_reply_readlink(req, buf);
}

enum make_kind { MAKE_NODE, MAKE_DIR, MAKE_SYMLINK, MAKE_LINK };

/** What a new entry is: a mode and device for nodes and directories, a target for symlinks, an inode for links. */
struct make_spec { enum make_kind kind; mode_t mode; dev_t rdev; const char *target; const struct fnode *linked; };

static int make_backing(const struct fnode *parent, const char *name, const struct make_spec *m) {
  switch (m->kind) {
    case MAKE_DIR: return mkdirat(parent->fd, name, m->mode);
    case MAKE_SYMLINK: return symlinkat(m->target, parent->fd, name);
    case MAKE_LINK: return linkat(m->linked->fd, "", parent->fd, name, AT_EMPTY_PATH);
    case MAKE_NODE: break;
  }
  return mknodat(parent->fd, name, m->mode, m->rdev);
}

/** Adds a name to a directory through the tracking and replies with its entry. */
static void make_entry(fuse_req_t req, fuse_ino_t parent_id, const char *name, const struct make_spec *m) {
  struct fnode *parent = node_of(parent_id);
  struct fuse_entry_param e;
  if (hidden(parent, name)) return (void)fuse_reply_err(req, EPERM);
  if (out_of_space()) return (void)fuse_reply_err(req, ENOSPC);
  WORLD_SHARED();
  pthread_mutex_lock(&ns_mu);
  int err = ensure_dirstate(parent);
  if (!err && make_backing(parent, name, m) < 0) err = errno;
  if (!err) err = do_lookup(parent, name, &e);
  if (!err && m->kind == MAKE_DIR) {
    struct fnode *child = node_of(e.ino);
    if (!child->ds) dirstate_new(child); /* a new directory holds nothing durable yet */
  }
  pthread_mutex_unlock(&ns_mu);
  WORLD_DONE();
  if (err) fuse_reply_err(req, err);
  else fuse_reply_entry(req, &e);
}

static void fs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev) {
  make_entry(req, parent, name, &(struct make_spec){ .kind = MAKE_NODE, .mode = mode, .rdev = rdev });
}

static void fs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode) {
  make_entry(req, parent, name, &(struct make_spec){ .kind = MAKE_DIR, .mode = mode });
}

static void fs_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name) {
  make_entry(req, parent, name, &(struct make_spec){ .kind = MAKE_SYMLINK, .target = link });
}

static void fs_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname) {
  make_entry(req, newparent, newname, &(struct make_spec){ .kind = MAKE_LINK, .linked = node_of(ino) });
}

static void remove_op(fuse_req_t req, fuse_ino_t parent_id, const char *name, bool dir) {
  struct fnode *parent = node_of(parent_id);
  if (hidden(parent, name)) return (void)fuse_reply_err(req, EPERM);
  WORLD_SHARED();
  pthread_mutex_lock(&ns_mu);
  int err = ensure_dirstate(parent);
  if (!err) err = remove_entry(parent, name, dir);
  pthread_mutex_unlock(&ns_mu);
  WORLD_DONE();
  fuse_reply_err(req, err);
}

static void fs_unlink(fuse_req_t req, fuse_ino_t parent, const char *name) { remove_op(req, parent, name, false); }

static void fs_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name) { remove_op(req, parent, name, true); }

/** rename(2) through the tracking; the caller holds ns_mu. Returns an errno. */
static int tracked_rename(struct fnode *p, const char *name, struct fnode *np, const char *newname, unsigned flags) {
  int err = ensure_dirstate(p);
  if (!err) err = ensure_dirstate(np);
  if (err) return err;
  struct stat src, dst;
  if (fstatat(p->fd, name, &src, AT_SYMLINK_NOFOLLOW) < 0) return errno;
  bool has_dst = fstatat(np->fd, newname, &dst, AT_SYMLINK_NOFOLLOW) == 0;
  /* Every rename is recorded, durable source or not, within a directory too: committing one
     rename of an inode commits the earlier ones first, so a move there and back again nets out,
     and a name changed in a directory not yet fsynced is the name a later move takes away. A
     rename between two links of one inode changes nothing and is not recorded. */
  if (has_dst && dst.st_ino == src.st_ino) return renameat2(p->fd, name, np->fd, newname, flags) < 0 ? errno : 0;
  if (flags & RENAME_EXCHANGE) {
    if (!has_dst) return ENOENT;
    if (renameat2(p->fd, name, np->fd, newname, RENAME_EXCHANGE) < 0) return errno;
    add_prename(p, name, np, newname, src.st_ino, S_ISDIR(src.st_mode));
    add_prename(np, newname, p, name, dst.st_ino, S_ISDIR(dst.st_mode));
    return 0;
  }
  if (has_dst && (flags & RENAME_NOREPLACE)) return EEXIST;
  bool park_dst = has_dst && dst.st_ino != src.st_ino && snapref(dst.st_ino) > 0;
  if (park_dst) {
    /* The replaced entry is still durable somewhere: check rename's rules, then park it. */
    if (S_ISDIR(src.st_mode) && !S_ISDIR(dst.st_mode)) return ENOTDIR;
    if (!S_ISDIR(src.st_mode) && S_ISDIR(dst.st_mode)) return EISDIR;
    if ((err = remove_entry(np, newname, S_ISDIR(dst.st_mode)))) return err;
    if (renameat2(p->fd, name, np->fd, newname, RENAME_NOREPLACE) < 0) {
      err = errno;
      unpark(np->fd, newname, dst.st_ino);
      return err;
    }
  } else {
    if (renameat2(p->fd, name, np->fd, newname, flags) < 0) return errno;
    if (has_dst && dst.st_ino != src.st_ino) {
      if (S_ISDIR(dst.st_mode)) forget_dir(dst.st_ino);
      else forget_if_unlinked(dst.st_ino);
    }
  }
  add_prename(p, name, np, newname, src.st_ino, S_ISDIR(src.st_mode));
  return 0;
}

static void fs_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent, const char *newname, unsigned int flags) {
  struct fnode *p = node_of(parent), *np = node_of(newparent);
  if (hidden(p, name) || hidden(np, newname)) return (void)fuse_reply_err(req, EPERM);
  if (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE)) return (void)fuse_reply_err(req, EINVAL);
  WORLD_SHARED();
  pthread_mutex_lock(&ns_mu);
  int err = tracked_rename(p, name, np, newname, flags);
  pthread_mutex_unlock(&ns_mu);
  WORLD_DONE();
  fuse_reply_err(req, err);
}

/** Open flags for the backing file: the kernel gives offsets and handles truncation through us. */
static int backing_flags(int flags) { return (flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_DIRECT)) | O_CLOEXEC; }

static void fs_create(fuse_req_t req, fuse_ino_t parent_id, const char *name, mode_t mode, struct fuse_file_info *fi) {
  struct fnode *parent = node_of(parent_id);
  struct fuse_entry_param e;
  if (hidden(parent, name)) return (void)fuse_reply_err(req, EPERM);
  WORLD_SHARED();
  pthread_mutex_lock(&ns_mu);
  int fd = -1, err = 0;
  struct stat st;
  bool existed = fstatat(parent->fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
  if (!existed && out_of_space()) err = ENOSPC;
  if (!err) err = ensure_dirstate(parent);
  if (!err) {
    fd = openat(parent->fd, name, backing_flags(fi->flags) | O_CREAT | (fi->flags & O_EXCL), mode);
    if (fd < 0) err = errno;
  }
  if (!err) err = do_lookup(parent, name, &e);
  pthread_mutex_unlock(&ns_mu);
  if (!err && existed && (fi->flags & O_TRUNC)) {
    struct fnode *n = node_of(e.ino);
    pthread_mutex_lock(&n->mu);
    err = tracked_truncate(n, 0, fd);
    pthread_mutex_unlock(&n->mu);
    if (err) forget_one(e.ino, 1);
  }
  WORLD_DONE();
  if (err) {
    if (fd >= 0) close(fd);
    return (void)fuse_reply_err(req, err);
  }
  fi->fh = (uint64_t)fd;
  fi->noflush = 1; /* close(2) has nothing to tell us */
  fuse_reply_create(req, &e, fi);
}

static void fs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  struct fnode *n = node_of(ino);
  char p[64];
  proc_path(p, n->fd);
  WORLD_SHARED();
  int fd = open(p, backing_flags(fi->flags));
  int err = fd < 0 ? errno : 0;
  if (!err && (fi->flags & O_TRUNC) && (fi->flags & O_ACCMODE) != O_RDONLY) {
    pthread_mutex_lock(&n->mu);
    err = tracked_truncate(n, 0, fd);
    pthread_mutex_unlock(&n->mu);
  }
  WORLD_DONE();
  if (err) {
    if (fd >= 0) close(fd);
    return (void)fuse_reply_err(req, err);
  }
  fi->fh = (uint64_t)fd;
  fi->noflush = 1;
  fuse_reply_open(req, fi);
}

static void fs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi) {
  struct fnode *n = node_of(ino);
  inject_delay(OP_READ);
  if (inject_eio(OP_READ, n)) return (void)fuse_reply_err(req, EIO);
  char *buf = malloc(size ? size : 1);
  if (!buf) return (void)fuse_reply_err(req, ENOMEM);
  WORLD_SHARED();
  ssize_t got = pread((int)fi->fh, buf, size, off);
  int err = got < 0 ? errno : 0;
  WORLD_DONE();
  if (err) {
    free(buf);
    return (void)fuse_reply_err(req, err);
  }
  inject_flip(n, buf, (size_t)got);
  fuse_reply_buf(req, buf, (size_t)got);
  free(buf);
}

static void fs_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off, struct fuse_file_info *fi) {
  struct fnode *n = node_of(ino);
  inject_delay(OP_WRITE);
  if (inject_eio(OP_WRITE, n)) return (void)fuse_reply_err(req, EIO);
  size_t len = take_space(size);
  if (size > 0 && len == 0) return (void)fuse_reply_err(req, ENOSPC);
  WORLD_SHARED();
  pthread_mutex_lock(&n->mu);
  int err = 0;
  size_t done = 0;
  struct filestate *fs = filestate_of(n, &err);
  if (fs) err = capture(fs, off, off + (off_t)len);
  while (!err && done < len) {
    ssize_t w = pwrite((int)fi->fh, buf + done, len - done, off + (off_t)done);
    if (w < 0) err = errno;
    else done += (size_t)w;
  }
  if (fs && done > 0) {
    fs->unsynced += done;
    /* The kernel splits one write(2) into several requests: adjacent ones are one write in flight. */
    if (fs->last_len > 0 && off == fs->last_off + (off_t)fs->last_len) {
      fs->last_len += done;
    } else {
      fs->last_off = off;
      fs->last_len = done;
    }
  }
  pthread_mutex_unlock(&n->mu);
  WORLD_DONE();
  if (err && done == 0) fuse_reply_err(req, err);
  else fuse_reply_write(req, done);
}

static void fs_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  (void)ino;
  (void)fi;
  fuse_reply_err(req, 0);
}

static void fs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  (void)ino;
  close((int)fi->fh);
  fuse_reply_err(req, 0);
}

static void fs_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi) {
  struct fnode *n = node_of(ino);
  inject_delay(OP_FSYNC);
  if (inject_eio(OP_FSYNC, n)) return (void)fuse_reply_err(req, EIO);
  WORLD_SHARED();
  int err = commit_file(n, (int)fi->fh, datasync);
  if (!err && !strict_dirs) {
    pthread_mutex_lock(&ns_mu);
    commit_all_dirs();
    pthread_mutex_unlock(&ns_mu);
  }
  WORLD_DONE();
  fuse_reply_err(req, err);
}

static void fs_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t off, off_t len, struct fuse_file_info *fi) {
  struct fnode *n = node_of(ino);
  if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) return (void)fuse_reply_err(req, EOPNOTSUPP);
  bool clears = mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE);
  if (!clears && take_space((size_t)len) < (size_t)len) return (void)fuse_reply_err(req, ENOSPC);
  WORLD_SHARED();
  pthread_mutex_lock(&n->mu);
  int err = 0;
  struct filestate *fs = filestate_of(n, &err);
  if (fs && clears) err = capture(fs, off, off + len);
  if (fs && !err && fallocate((int)fi->fh, mode, off, len) < 0) err = errno;
  if (fs) fs->last_len = 0;
  pthread_mutex_unlock(&n->mu);
  WORLD_DONE();
  fuse_reply_err(req, err);
}

struct dirh { DIR *dp; off_t off; struct dirent *entry; };

static void fs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  struct dirh *d = calloc(1, sizeof *d);
  if (!d) return (void)fuse_reply_err(req, ENOMEM);
  int fd = openat(node_of(ino)->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) d->dp = fdopendir(fd);
  if (!d->dp) {
    int err = errno;
    if (fd >= 0) close(fd);
    free(d);
    return (void)fuse_reply_err(req, err);
  }
  fi->fh = (uint64_t)(uintptr_t)d;
  fuse_reply_open(req, fi);
}

static void fs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi) {
  struct dirh *d = (struct dirh *)(uintptr_t)fi->fh;
  struct fnode *n = node_of(ino);
  char *buf = calloc(1, size ? size : 1), *p = buf;
  if (!buf) return (void)fuse_reply_err(req, ENOMEM);
  size_t rem = size;
  WORLD_SHARED();
  if (off != d->off) {
    seekdir(d->dp, off);
    d->entry = NULL;
    d->off = off;
  }
  for (;;) {
    if (!d->entry) {
      errno = 0;
      d->entry = readdir(d->dp);
      if (!d->entry) break;
    }
    if (!hidden(n, d->entry->d_name)) {
      struct stat st = { .st_ino = d->entry->d_ino, .st_mode = (mode_t)d->entry->d_type << 12 };
      size_t need = fuse_add_direntry(req, p, rem, d->entry->d_name, &st, d->entry->d_off);
      if (need > rem) break;
      p += need;
      rem -= need;
    }
    d->off = d->entry->d_off;
    d->entry = NULL;
  }
  WORLD_DONE();
  fuse_reply_buf(req, buf, size - rem);
  free(buf);
}

static void fs_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
  (void)ino;
  struct dirh *d = (struct dirh *)(uintptr_t)fi->fh;
  closedir(d->dp);
  free(d);
  fuse_reply_err(req, 0);
}

static void fs_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi) {
  struct fnode *n = node_of(ino);
  struct dirh *d = (struct dirh *)(uintptr_t)fi->fh;
  inject_delay(OP_FSYNC);
  if (inject_eio(OP_FSYNC, n)) return (void)fuse_reply_err(req, EIO);
  WORLD_SHARED();
  pthread_mutex_lock(&ns_mu);
  int r = datasync ? fdatasync(dirfd(d->dp)) : fsync(dirfd(d->dp));
  int err = r < 0 ? errno : 0;
  if (!err && strict_dirs) commit_dir(n);
  else if (!err) commit_all_dirs();
  pthread_mutex_unlock(&ns_mu);
  WORLD_DONE();
  fuse_reply_err(req, err);
}

static void fs_statfs(fuse_req_t req, fuse_ino_t ino) {
  struct statvfs sv;
  if (fstatvfs(node_of(ino)->fd, &sv) < 0) return (void)fuse_reply_err(req, errno);
  pthread_mutex_lock(&fault_mu);
  if (F.enospc_on && sv.f_bsize) {
    fsblkcnt_t left = (fsblkcnt_t)(F.enospc_left / sv.f_bsize);
    if (left < sv.f_bavail) sv.f_bavail = left;
    if (left < sv.f_bfree) sv.f_bfree = left;
  }
  pthread_mutex_unlock(&fault_mu);
  fuse_reply_statfs(req, &sv);
}

static const struct fuse_lowlevel_ops ops = {
  .init = fs_init,
  .lookup = fs_lookup,
  .forget = fs_forget,
  .forget_multi = fs_forget_multi,
  .getattr = fs_getattr,
  .setattr = fs_setattr,
  .readlink = fs_readlink,
  .mknod = fs_mknod,
  .mkdir = fs_mkdir,
  .symlink = fs_symlink,
  .unlink = fs_unlink,
  .rmdir = fs_rmdir,
  .rename = fs_rename,
  .link = fs_link,
  .create = fs_create,
  .open = fs_open,
  .read = fs_read,
  .write = fs_write,
  .flush = fs_flush,
  .release = fs_release,
  .fsync = fs_fsync,
  .fallocate = fs_fallocate,
  .opendir = fs_opendir,
  .readdir = fs_readdir,
  .releasedir = fs_releasedir,
  .fsyncdir = fs_fsyncdir,
  .statfs = fs_statfs,
};

/* ---------- control commands ---------- */

struct args { int n; char *key[32]; char *val[32]; };

static const char *arg(const struct args *a, const char *key) {
  for (int i = 1; i < a->n; i++) if (strcmp(a->key[i], key) == 0) return a->val[i] ? a->val[i] : "";
  return NULL;
}

static bool num(const struct args *a, const char *key, double *out, char *err, size_t errsz) {
  const char *v = arg(a, key);
  if (!v) return true;
  char *end;
  double d = strtod(v, &end);
  if (!*v || *end || d < 0 || d != d) {
    snprintf(err, errsz, "%s=%s: expected a non-negative number", key, v);
    return false;
  }
  *out = d;
  return true;
}

static bool parse_ops(const struct args *a, int dflt, int *out, char *err, size_t errsz) {
  const char *v = arg(a, "ops");
  *out = dflt;
  if (!v) return true;
  *out = 0;
  char buf[128];
  snprintf(buf, sizeof buf, "%s", v);
  for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    if (strcmp(t, "read") == 0) *out |= OP_READ;
    else if (strcmp(t, "write") == 0) *out |= OP_WRITE;
    else if (strcmp(t, "fsync") == 0) *out |= OP_FSYNC;
    else {
      snprintf(err, errsz, "ops: unknown op %s (read, write, fsync)", t);
      return false;
    }
  }
  if (!*out) snprintf(err, errsz, "ops: empty");
  return *out != 0;
}

static bool known_keys(const struct args *a, const char *const *keys, char *err, size_t errsz) {
  for (int i = 1; i < a->n; i++) {
    bool ok = false;
    for (const char *const *k = keys; *k; k++) if (strcmp(a->key[i], *k) == 0) ok = true;
    if (!ok) {
      snprintf(err, errsz, "%s: unknown argument %s", a->key[0], a->key[i]);
      return false;
    }
  }
  return true;
}

static uint64_t seed_of(const struct args *a) {
  const char *s = arg(a, "seed");
  return s ? strtoull(s, NULL, 10) : now_seed();
}

static void ops_json(char *out, size_t size, int ops) {
  snprintf(out, size, "[%s%s%s%s%s]", ops & OP_READ ? "\"read\"" : "", (ops & OP_READ) && (ops & (OP_WRITE | OP_FSYNC)) ? "," : "",
           ops & OP_WRITE ? "\"write\"" : "", (ops & OP_WRITE) && (ops & OP_FSYNC) ? "," : "", ops & OP_FSYNC ? "\"fsync\"" : "");
}

static void status_json(char *out, size_t size) {
  uint64_t unsynced = 0;
  unsigned nfiles = 0, ndirs = 0, nrenames = 0;
  size_t nattic;
  pthread_mutex_lock(&ns_mu);
  pthread_mutex_lock(&files_mu);
  for (struct filestate *fs = files; fs; fs = fs->next) unsynced += __atomic_load_n(&fs->unsynced, __ATOMIC_RELAXED), nfiles++;
  pthread_mutex_unlock(&files_mu);
  for (struct dirstate *ds = dirs; ds; ds = ds->next) ndirs++;
  for (struct prename *r = renames; r; r = r->next) nrenames++;
  nattic = attic.n;
  pthread_mutex_unlock(&ns_mu);
  char eio[800] = "null", slow[256] = "null", enospc[96] = "null", flip[800] = "null", o[64], q[600];
  pthread_mutex_lock(&fault_mu);
  if (F.eio_on) {
    ops_json(o, sizeof o, F.eio_ops);
    json_str(q, sizeof q, F.eio_path);
    snprintf(eio, sizeof eio, "{\"ops\":%s,\"rate\":%g,\"path\":%s}", o, F.eio_rate, q);
  }
  if (F.slow_on) {
    ops_json(o, sizeof o, F.slow_ops);
    const char *d = F.slow_dist == DIST_FIXED ? "fixed" : F.slow_dist == DIST_UNIFORM ? "uniform" : "exp";
    snprintf(slow, sizeof slow, "{\"ops\":%s,\"dist\":\"%s\",\"a\":%g,\"b\":%g}", o, d, F.slow_a, F.slow_b);
  }
  if (F.enospc_on) snprintf(enospc, sizeof enospc, "{\"remaining\":%" PRIu64 "}", F.enospc_left);
  if (F.flip_on) {
    json_str(q, sizeof q, F.flip_path);
    snprintf(flip, sizeof flip, "{\"rate\":%g,\"path\":%s}", F.flip_rate, q);
  }
  snprintf(out, size,
           "{\"ok\":true,\"pid\":%d,\"dirs\":\"%s\",\"unsyncedBytes\":%" PRIu64 ",\"unsyncedFiles\":%u,\"dirtyDirs\":%u,\"pendingRenames\":%u,\"parked\":%zu,"
           "\"faults\":{\"eio\":%s,\"slow\":%s,\"enospc\":%s,\"flip\":%s},"
           "\"applied\":{\"eio\":%" PRIu64 ",\"slow\":%" PRIu64 ",\"slowMs\":%" PRIu64 ",\"enospc\":%" PRIu64 ",\"flip\":%" PRIu64 ",\"powerLoss\":%" PRIu64 ",\"torn\":%" PRIu64 "}}",
           (int)getpid(), strict_dirs ? "strict" : "journal", unsynced, nfiles, ndirs, nrenames, nattic, eio, slow, enospc, flip, applied.eio, applied.slow, applied.slow_ms,
           applied.enospc, applied.flip, applied.power_loss, applied.torn);
  pthread_mutex_unlock(&fault_mu);
}

/** Runs one command line; writes the one-line JSON reply into `out`. */
static void run_command(char *line, char *out, size_t size) {
  struct args a = { 0 };
  char err[300] = "";
  for (char *save = NULL, *t = strtok_r(line, " \t\r\n", &save); t && a.n < 32; t = strtok_r(NULL, " \t\r\n", &save)) {
    char *eq = strchr(t, '=');
    if (eq) *eq = 0;
    a.key[a.n] = t;
    a.val[a.n] = eq ? eq + 1 : NULL;
    a.n++;
  }
  const char *cmd = a.n ? a.key[0] : "";
  bool drop_caches = false;
  if (strcmp(cmd, "status") == 0) {
    if (known_keys(&a, (const char *const[]){ NULL }, err, sizeof err)) return status_json(out, size);
  } else if (strcmp(cmd, "power-loss") == 0) {
    if (known_keys(&a, (const char *const[]){ "torn", "seed", NULL }, err, sizeof err)) {
      struct loss L = { 0 };
      L.tear = arg(&a, "torn") != NULL;
      rng_seed(&L.rng, seed_of(&a));
      pthread_rwlock_wrlock(&world);
      lose_power(&L);
      pthread_rwlock_unlock(&world);
      send_invals(L.inval);
      pthread_mutex_lock(&fault_mu);
      applied.power_loss++;
      pthread_mutex_unlock(&fault_mu);
      snprintf(out, size, "{\"ok\":true,\"droppedBytes\":%" PRIu64 ",\"files\":%u,\"dirs\":%u,\"missing\":%u,\"tornCount\":%u,\"torn\":[%s]}",
               L.dropped, L.files, L.dirs, L.missing, L.torn, L.torn_json ? L.torn_json : "");
      free(L.torn_json);
      return;
    }
  } else if (strcmp(cmd, "eio") == 0) {
    int o = 0;
    double rate = 1;
    const char *path = arg(&a, "path");
    if (known_keys(&a, (const char *const[]){ "ops", "rate", "path", "seed", NULL }, err, sizeof err) &&
        parse_ops(&a, OP_READ | OP_WRITE | OP_FSYNC, &o, err, sizeof err) && num(&a, "rate", &rate, err, sizeof err)) {
      if (rate > 1) snprintf(err, sizeof err, "rate=%g: at most 1", rate);
      else {
        pthread_mutex_lock(&fault_mu);
        F.eio_ops = o;
        F.eio_rate = rate;
        snprintf(F.eio_path, sizeof F.eio_path, "%s", path ? path : "");
        rng_seed(&F.eio_rng, seed_of(&a));
        F.eio_on = true;
        pthread_mutex_unlock(&fault_mu);
        drop_caches = (o & OP_READ) != 0;
      }
    }
  } else if (strcmp(cmd, "slow") == 0) {
    int o = 0;
    double ms = 0, lo = 0, hi = 0, mean = 0;
    const char *dist = arg(&a, "dist");
    if (known_keys(&a, (const char *const[]){ "ops", "dist", "ms", "min", "max", "mean", "seed", NULL }, err, sizeof err) &&
        parse_ops(&a, OP_WRITE | OP_FSYNC, &o, err, sizeof err) && num(&a, "ms", &ms, err, sizeof err) && num(&a, "min", &lo, err, sizeof err) &&
        num(&a, "max", &hi, err, sizeof err) && num(&a, "mean", &mean, err, sizeof err)) {
      enum dist d = !dist ? (arg(&a, "mean") ? DIST_EXP : arg(&a, "max") ? DIST_UNIFORM : DIST_FIXED)
                    : strcmp(dist, "fixed") == 0 ? DIST_FIXED : strcmp(dist, "uniform") == 0 ? DIST_UNIFORM : strcmp(dist, "exp") == 0 ? DIST_EXP : (enum dist)-1;
      if ((int)d < 0) snprintf(err, sizeof err, "dist=%s: expected fixed, uniform or exp", dist);
      else if (d == DIST_FIXED && !arg(&a, "ms")) snprintf(err, sizeof err, "slow: dist=fixed needs ms=N");
      else if (d == DIST_UNIFORM && (!arg(&a, "max") || hi < lo)) snprintf(err, sizeof err, "slow: dist=uniform needs min=N max=N with min <= max");
      else if (d == DIST_EXP && !arg(&a, "mean")) snprintf(err, sizeof err, "slow: dist=exp needs mean=N");
      else {
        pthread_mutex_lock(&fault_mu);
        F.slow_ops = o;
        F.slow_dist = d;
        F.slow_a = d == DIST_FIXED ? ms : d == DIST_UNIFORM ? lo : mean;
        F.slow_b = d == DIST_UNIFORM ? hi : 0;
        rng_seed(&F.slow_rng, seed_of(&a));
        F.slow_on = true;
        pthread_mutex_unlock(&fault_mu);
      }
    }
  } else if (strcmp(cmd, "enospc") == 0) {
    double bytes = -1;
    if (known_keys(&a, (const char *const[]){ "bytes", NULL }, err, sizeof err) && num(&a, "bytes", &bytes, err, sizeof err)) {
      if (bytes < 0) snprintf(err, sizeof err, "enospc: needs bytes=N");
      else {
        pthread_mutex_lock(&fault_mu);
        F.enospc_left = (uint64_t)bytes;
        F.enospc_on = true;
        pthread_mutex_unlock(&fault_mu);
      }
    }
  } else if (strcmp(cmd, "flip") == 0) {
    double rate = 1;
    const char *path = arg(&a, "path");
    if (known_keys(&a, (const char *const[]){ "rate", "path", "seed", NULL }, err, sizeof err) && num(&a, "rate", &rate, err, sizeof err)) {
      if (rate > 1) snprintf(err, sizeof err, "rate=%g: at most 1", rate);
      else {
        pthread_mutex_lock(&fault_mu);
        F.flip_rate = rate;
        snprintf(F.flip_path, sizeof F.flip_path, "%s", path ? path : "");
        rng_seed(&F.flip_rng, seed_of(&a));
        F.flip_on = true;
        pthread_mutex_unlock(&fault_mu);
        drop_caches = true;
      }
    }
  } else if (strcmp(cmd, "heal") == 0) {
    if (known_keys(&a, (const char *const[]){ NULL }, err, sizeof err)) {
      pthread_mutex_lock(&fault_mu);
      drop_caches = F.flip_on || (F.eio_on && (F.eio_ops & OP_READ));
      F.eio_on = F.slow_on = F.enospc_on = F.flip_on = false;
      pthread_mutex_unlock(&fault_mu);
    }
  } else {
    snprintf(err, sizeof err, "unknown command %s (power-loss, eio, slow, enospc, flip, heal, status)", cmd);
  }
  if (err[0]) {
    char q[620];
    json_str(q, sizeof q, err);
    snprintf(out, size, "{\"ok\":false,\"error\":%s}", q);
    return;
  }
  if (drop_caches) drop_page_caches();
  snprintf(out, size, "{\"ok\":true}");
}

static int control_fd = -1;

static void *control_loop(void *unused) {
  (void)unused;
  for (;;) {
    int c = accept4(control_fd, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return NULL;
    }
    char line[4096];
    size_t len = 0;
    while (len < sizeof line - 1) {
      ssize_t r = read(c, line + len, sizeof line - 1 - len);
      if (r <= 0) break;
      len += (size_t)r;
      if (memchr(line, '\n', len)) break;
    }
    line[len] = 0;
    size_t cap = 1 << 16;
    char *out = malloc(cap);
    if (out) {
      run_command(line, out, cap - 1);
      strcat(out, "\n");
      for (size_t off = 0, n = strlen(out); off < n;) {
        ssize_t w = write(c, out + off, n - off);
        if (w <= 0) break;
        off += (size_t)w;
      }
      free(out);
    }
    close(c);
  }
}

/* ---------- main ---------- */

static int connect_socket(const char *path) {
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  if (strlen(path) >= sizeof sa.sun_path) { errno = ENAMETOOLONG; return -1; }
  strcpy(sa.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) { int e = errno; close(fd); errno = e; return -1; }
  return fd;
}

static int ctl_main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: faultfs ctl SOCKET COMMAND [key=value ...]\n");
    return 2;
  }
  int fd = connect_socket(argv[2]);
  if (fd < 0) {
    fprintf(stderr, "faultfs: cannot reach %s: %s\n", argv[2], strerror(errno));
    return 1;
  }
  char line[4096] = "";
  for (int i = 3; i < argc; i++) {
    if (strlen(line) + strlen(argv[i]) + 2 >= sizeof line) { fprintf(stderr, "faultfs: command too long\n"); return 2; }
    if (i > 3) strcat(line, " ");
    strcat(line, argv[i]);
  }
  strcat(line, "\n");
  if (write(fd, line, strlen(line)) != (ssize_t)strlen(line)) { fprintf(stderr, "faultfs: write: %s\n", strerror(errno)); return 1; }
  shutdown(fd, SHUT_WR);
  char buf[65536];
  size_t len = 0;
  ssize_t r;
  while (len < sizeof buf - 1 && (r = read(fd, buf + len, sizeof buf - 1 - len)) > 0) len += (size_t)r;
  buf[len] = 0;
  fputs(buf, stdout);
  return strncmp(buf, "{\"ok\":true", 10) == 0 ? 0 : 1;
}

static int fail_pipe = -1;

static void die(const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (fail_pipe >= 0) {
    if (write(fail_pipe, msg, strlen(msg)) < 0) {}
  } else {
    fprintf(stderr, "faultfs: %s\n", msg);
  }
  exit(1);
}

static void mkdirs_for(const char *file) {
  char buf[PATH_MAX];
  snprintf(buf, sizeof buf, "%s", file);
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    mkdir(buf, 0755);
    *p = '/';
  }
}

static int mount_main(int argc, char **argv) {
  const char *dir = NULL, *sock = NULL, *name = NULL, *log = NULL;
  for (int i = 2; i < argc; i++) {
    if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) sock = argv[++i];
    else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc) name = argv[++i];
    else if (strcmp(argv[i], "--log") == 0 && i + 1 < argc) log = argv[++i];
    else if (strcmp(argv[i], "--dirs") == 0 && i + 1 < argc) {
      const char *m = argv[++i];
      if (strcmp(m, "strict") != 0 && strcmp(m, "journal") != 0) { fprintf(stderr, "faultfs: --dirs %s: journal or strict\n", m); return 2; }
      strict_dirs = strcmp(m, "strict") == 0;
    }
    else if (!dir && argv[i][0] != '-') dir = argv[i];
    else { fprintf(stderr, "faultfs: unexpected argument %s\n", argv[i]); return 2; }
  }
  if (!dir || !sock || !name) {
    fprintf(stderr, "usage: faultfs mount DIR --socket PATH --name FSNAME [--dirs journal|strict] [--log FILE]\n");
    return 2;
  }
  if (strpbrk(name, ", \t\n\\")) die("--name %s: no commas, spaces or backslashes", name);
  if (!realpath(dir, root_path)) die("%s: %s", dir, strerror(errno));
  root.fd = open(root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  struct stat st;
  if (root.fd < 0 || fstat(root.fd, &st) < 0) die("%s: %s", root_path, strerror(errno));
  root_dev = st.st_dev;
  root.ino = st.st_ino;
  root.is_dir = true;
  pthread_mutex_init(&root.mu, NULL);
  /* An attic left by a daemon that died holds nothing durable: what the directory shows is. */
  remove_tree(root.fd, ATTIC);
  if (mkdirat(root.fd, ATTIC, 0700) < 0) die("%s/%s: %s", root_path, ATTIC, strerror(errno));
  attic_fd = openat(root.fd, ATTIC, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (attic_fd < 0) die("%s/%s: %s", root_path, ATTIC, strerror(errno));

  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  if (strlen(sock) >= sizeof sa.sun_path) die("--socket %s: longer than %zu bytes", sock, sizeof sa.sun_path - 1);
  strcpy(sa.sun_path, sock);
  int live = connect_socket(sock);
  if (live >= 0) die("--socket %s: another daemon is listening there", sock);
  mkdirs_for(sock);
  unlink(sock);
  control_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (control_fd < 0 || bind(control_fd, (struct sockaddr *)&sa, sizeof sa) < 0 || chmod(sock, 0600) < 0 || listen(control_fd, 16) < 0) {
    die("--socket %s: %s", sock, strerror(errno));
  }

  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  pthread_rwlockattr_t wa;
  pthread_rwlockattr_init(&wa);
  pthread_rwlockattr_setkind_np(&wa, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
  pthread_rwlock_init(&world, &wa);

  int ready[2];
  if (pipe2(ready, O_CLOEXEC) < 0) die("pipe: %s", strerror(errno));
  pid_t pid = fork();
  if (pid < 0) die("fork: %s", strerror(errno));
  if (pid > 0) {
    close(ready[1]);
    char msg[1100];
    ssize_t n = read(ready[0], msg, sizeof msg - 1);
    msg[n > 0 ? n : 0] = 0;
    if (strcmp(msg, "ready") == 0) {
      printf("{\"ok\":true,\"pid\":%d}\n", (int)pid);
      return 0;
    }
    fprintf(stderr, "faultfs: %s\n", n > 0 ? msg : "the daemon exited before mounting");
    return 1;
  }
  close(ready[0]);
  fail_pipe = ready[1];
  char pidfile[PATH_MAX];
  snprintf(pidfile, sizeof pidfile, "%s.pid", sock);
  FILE *pf = fopen(pidfile, "w");
  if (!pf || fprintf(pf, "%d\n", (int)getpid()) < 0 || fclose(pf) != 0) die("%s: %s", pidfile, strerror(errno));
  setsid();
  umask(0); /* the kernel applied the caller's umask to every mode it sends */
  int null = open("/dev/null", O_RDWR);
  int out = log ? open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644) : -1;
  if (null >= 0) dup2(null, 0);
  dup2(out >= 0 ? out : null, 1);
  dup2(out >= 0 ? out : null, 2);

  char opts[512];
  snprintf(opts, sizeof opts, "fsname=%s,subtype=faultfs,allow_other,default_permissions", name);
  char *fargv[] = { argv[0], "-o", opts, NULL };
  struct fuse_args args = FUSE_ARGS_INIT(3, fargv);
  se = fuse_session_new(&args, &ops, sizeof ops, NULL);
  if (!se) die("cannot create the FUSE session (is /dev/fuse there?)");
  if (fuse_set_signal_handlers(se) != 0) die("cannot install signal handlers");
  if (fuse_session_mount(se, root_path) != 0) die("cannot mount on %s (see %s)", root_path, log ? log : "--log");
  pthread_t ctl;
  if (pthread_create(&ctl, NULL, control_loop, NULL) != 0) die("cannot start the control thread");
  pthread_detach(ctl);
  if (write(fail_pipe, "ready", 5) < 0) {}
  close(fail_pipe);
  fail_pipe = -1;
  fprintf(stderr, "faultfs: mounted %s as %s, control %s\n", root_path, name, sock);

  struct fuse_loop_config *cfg = fuse_loop_cfg_create();
  fuse_loop_cfg_set_max_threads(cfg, 64);
  int ret = fuse_session_loop_mt(se, cfg);
  fuse_loop_cfg_destroy(cfg);
  fuse_session_unmount(se);
  fuse_remove_signal_handlers(se);
  fuse_session_destroy(se);
  /* Unmounted without a power loss: what the directory shows is what the disk keeps. */
  remove_tree(root.fd, ATTIC);
  unlink(sock);
  unlink(pidfile);
  fprintf(stderr, "faultfs: unmounted %s\n", root_path);
  return ret < 0 ? 1 : 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "mount") == 0) return mount_main(argc, argv);
  if (argc >= 2 && strcmp(argv[1], "ctl") == 0) return ctl_main(argc, argv);
  fprintf(stderr, "usage: faultfs mount DIR --socket PATH --name FSNAME [--dirs journal|strict] [--log FILE]\n       faultfs ctl SOCKET COMMAND [key=value ...]\n");
  return 2;
}
