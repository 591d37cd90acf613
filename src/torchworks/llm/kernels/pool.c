/* A work-claiming thread pool for the decode kernels, built for busy hosts.
 *
 * Why not OpenMP: its parallel region ends in a barrier that waits for every thread, so on a
 * loaded 2-core machine each of a step's ~120 matmuls waits for a descheduled worker's next
 * time slice (measured: 8 ms a call, 20x slower than one thread). Here the caller and the
 * workers claim chunks of rows from one atomic counter; the caller only waits for chunks that
 * were claimed and are still running, so a worker that wakes late finds nothing left to do and
 * costs nothing. Workers spin briefly between jobs (a step's matmuls come tens of
 * microseconds apart), then sleep on a condition variable.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define PAUSE() _mm_pause()
#else
#define PAUSE() ((void)0)
#endif

#define MAX_WORKERS 255
#define SPIN_NS 200000 /* how long an idle worker polls before sleeping */
#define CLOSED 0xFFFFFFFFu

typedef void (*tw_task)(void *ctx, int chunk);

/* claim = generation << 32 | next chunk: a claim succeeds only for the job it was read for. */
static _Atomic uint64_t claim;
static _Atomic int done;
static tw_task job_task;
static void *job_ctx;
static int job_chunks, job_workers;
static _Atomic uint32_t generation;
static int workers;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t caller = PTHREAD_MUTEX_INITIALIZER; /* one job at a time */
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Claim and run chunks of generation `gen` until none is left. */
static void run_chunks(uint32_t gen) {
    for (;;) {
        uint64_t seen = atomic_load(&claim);
        if ((uint32_t)(seen >> 32) != gen) return;
        uint32_t chunk = (uint32_t)seen; /* CLOSED while the caller rewrites the job */
        if (chunk >= (uint32_t)job_chunks) return;
        if (!atomic_compare_exchange_weak(&claim, &seen, seen + 1)) continue;
        job_task(job_ctx, (int)chunk); /* the job stays put: done < chunks until we finish */
        atomic_fetch_add(&done, 1);
    }
}

static void *worker(void *arg) {
    int index = (int)(intptr_t)arg;
    uint32_t last = atomic_load(&generation);
    for (;;) {
        int64_t idle_since = now_ns();
        uint32_t gen;
        int spins = 0;
        while ((gen = atomic_load(&generation)) == last) {
            PAUSE();
            if (++spins % 256 == 0 && now_ns() - idle_since > SPIN_NS) {
                pthread_mutex_lock(&lock);
                while ((gen = atomic_load(&generation)) == last) pthread_cond_wait(&wake, &lock);
                pthread_mutex_unlock(&lock);
                break;
            }
        }
        last = gen;
        if (index < job_workers) run_chunks(gen);
    }
    return NULL;
}

static void forget_workers(void) { workers = 0; } /* a forked child has none of them */

static void ensure_workers(int wanted) {
    static int registered;
    if (!registered) {
        pthread_atfork(NULL, NULL, forget_workers);
        registered = 1;
    }
    while (workers < wanted && workers < MAX_WORKERS) {
        pthread_t thread;
        if (pthread_create(&thread, NULL, worker, (void *)(intptr_t)workers) != 0) return;
        pthread_detach(thread);
        workers++;
    }
}

/* Run task(ctx, 0 .. chunks-1) on up to `threads` threads (the caller is one of them).
 * Callers from several threads (two served models) take turns. */
void tw_parallel(tw_task task, void *ctx, int chunks, int threads) {
    if (threads <= 1 || chunks <= 1) {
        for (int c = 0; c < chunks; c++) task(ctx, c);
        return;
    }
    pthread_mutex_lock(&caller);
    ensure_workers(threads - 1);
    pthread_mutex_lock(&lock);
    /* Close the finished job first: a worker that read its claim word just before can no
     * longer claim a chunk of it while its fields change. */
    atomic_store(&claim, ((uint64_t)atomic_load(&generation) << 32) | CLOSED);
    job_task = task;
    job_ctx = ctx;
    job_chunks = chunks;
    job_workers = threads - 1 < workers ? threads - 1 : workers;
    atomic_store(&done, 0);
    uint32_t gen = atomic_load(&generation) + 1;
    atomic_store(&claim, (uint64_t)gen << 32);
    atomic_store(&generation, gen);
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&lock);
    run_chunks(gen);
    for (int spins = 0; atomic_load(&done) < chunks; spins++) {
        PAUSE();
        if (spins > 4096) sched_yield(); /* a claimed chunk's thread was descheduled */
    }
    pthread_mutex_unlock(&caller);
}
