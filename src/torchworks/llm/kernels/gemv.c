/* Batch-1 decoding fp32 matmul for CPUs: y[m, n] = sum_k x[m, k] * W[n, k].
 *
 * Decoding one token reads every weight once, so the kernel streams W and keeps x in L1: a
 * group of rows is read once whatever M is (it is reused for every x row while in cache).
 * Threads claim chunks of row groups from pool.c's work counter.
 *
 * Code paths are chosen at compile time: AVX-512, AVX2 + FMA, or plain C (tw_isa names the
 * one built, q8.c included). native.py compiles the files with the system compiler.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef void (*tw_task)(void *ctx, int chunk);
void tw_parallel(tw_task task, void *ctx, int chunks, int threads); /* pool.c */
#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif


const char *tw_isa(void) {
#if defined(__AVX512F__) && defined(__AVX512VNNI__) && defined(__AVX512VL__)
    return "avx512-vnni";
#elif defined(__AVX512F__)
    return "avx512";
#elif defined(__AVX2__) && defined(__AVXVNNI__)
    return "avx2-vnni";
#elif defined(__AVX2__) && defined(__FMA__)
    return "avx2";
#else
    return "plain-c";
#endif
}

/* ---------------------------------------------------------------- fp32 */

/* W is packed 16 rows interleaved ([groups][k][16], the last group zero-padded; done in
 * torch by linears.py): column i of 16 rows is one 64-byte line, so a group is one sequential
 * stream and one FMA with x[i] broadcast updates 16 rows' sums, no horizontal sums. Row-major
 * with 4 rows at a time this ran at ~1.5x the time of streaming the weights; packed, at it. */
#define F32_ROWS 16
#define F32_CHUNK_GROUPS 2

int tw_f32_rows(void) { return F32_ROWS; }

/* The 16 rows' dot products with each of `nr` (1..F32_TILE) x rows (row r at x + r * ldx) into
 * out[r * 16 ..]. The rows share each load of the weights, and their independent sums keep
 * the FMA units busy where one row's two chains wait on FMA latency: a prefill (or a batched
 * decode step) of m rows ran at the one-row speed per row before. Per row the arithmetic is
 * the one-row kernel's, in the same order, so each row's result is bit-identical to it. */
#define F32_TILE 4
static inline __attribute__((always_inline)) void f32_group_rows(
    const float *w, const float *x, int64_t ldx, int k, int nr, float *out) {
#if defined(__AVX512F__)
    __m512 a0[F32_TILE], a1[F32_TILE];
    for (int r = 0; r < nr; r++) a0[r] = a1[r] = _mm512_setzero_ps();
    int i = 0;
    for (; i + 2 <= k; i += 2) {
        __m512 w0 = _mm512_loadu_ps(w + (int64_t)i * F32_ROWS);
        __m512 w1 = _mm512_loadu_ps(w + (int64_t)i * F32_ROWS + F32_ROWS);
        for (int r = 0; r < nr; r++) {
            a0[r] = _mm512_fmadd_ps(w0, _mm512_set1_ps(x[r * ldx + i]), a0[r]);
            a1[r] = _mm512_fmadd_ps(w1, _mm512_set1_ps(x[r * ldx + i + 1]), a1[r]);
        }
    }
    if (i < k) {
        __m512 w0 = _mm512_loadu_ps(w + (int64_t)i * F32_ROWS);
        for (int r = 0; r < nr; r++)
            a0[r] = _mm512_fmadd_ps(w0, _mm512_set1_ps(x[r * ldx + i]), a0[r]);
    }
    for (int r = 0; r < nr; r++) _mm512_storeu_ps(out + r * F32_ROWS, _mm512_add_ps(a0[r], a1[r]));
#elif defined(__AVX2__) && defined(__FMA__)
    __m256 lo[F32_TILE], hi[F32_TILE];
    for (int r = 0; r < nr; r++) lo[r] = hi[r] = _mm256_setzero_ps();
    for (int i = 0; i < k; i++) {
        __m256 wl = _mm256_loadu_ps(w + (int64_t)i * F32_ROWS);
        __m256 wh = _mm256_loadu_ps(w + (int64_t)i * F32_ROWS + 8);
        for (int r = 0; r < nr; r++) {
            __m256 xv = _mm256_set1_ps(x[r * ldx + i]);
            lo[r] = _mm256_fmadd_ps(wl, xv, lo[r]);
            hi[r] = _mm256_fmadd_ps(wh, xv, hi[r]);
        }
    }
    for (int r = 0; r < nr; r++) {
        _mm256_storeu_ps(out + r * F32_ROWS, lo[r]);
        _mm256_storeu_ps(out + r * F32_ROWS + 8, hi[r]);
    }
#else
    for (int t = 0; t < nr; t++) {
        float acc[F32_ROWS] = {0};
        for (int i = 0; i < k; i++)
            for (int r = 0; r < F32_ROWS; r++) acc[r] += w[(int64_t)i * F32_ROWS + r] * x[t * ldx + i];
        memcpy(out + t * F32_ROWS, acc, sizeof acc);
    }
#endif
}

static void f32_group(const float *w, const float *x, int k, float *out) {
    f32_group_rows(w, x, 0, k, 1, out);
}

struct f32_job {
    const float *x, *w;
    float *y;
    int m, k, n;
};

static void f32_chunk(void *ctx, int chunk) {
    struct f32_job *j = ctx;
    int groups = (j->n + F32_ROWS - 1) / F32_ROWS;
    float out[F32_TILE * F32_ROWS];
    for (int g = chunk * F32_CHUNK_GROUPS; g < groups && g < (chunk + 1) * F32_CHUNK_GROUPS; g++) {
        int valid = j->n - g * F32_ROWS < F32_ROWS ? j->n - g * F32_ROWS : F32_ROWS;
        const float *w = j->w + (int64_t)g * j->k * F32_ROWS;
        for (int r = 0; r < j->m; r += F32_TILE) {
            int nr = j->m - r < F32_TILE ? j->m - r : F32_TILE;
            const float *x = j->x + (int64_t)r * j->k;
            switch (nr) { /* constant row counts, so each call's loops unroll into registers */
            case 4: f32_group_rows(w, x, j->k, j->k, 4, out); break;
            case 3: f32_group_rows(w, x, j->k, j->k, 3, out); break;
            case 2: f32_group_rows(w, x, j->k, j->k, 2, out); break;
            default: f32_group_rows(w, x, j->k, j->k, 1, out); break;
            }
            for (int t = 0; t < nr; t++)
                memcpy(j->y + (int64_t)(r + t) * j->n + g * F32_ROWS, out + t * F32_ROWS,
                       sizeof(float) * valid);
        }
    }
}

/* y[g * 16 ..] for the row groups g0 .. g1-1 of one x row: the decode step's share of a
 * matmul (step.c). */
void tw_f32_groups(const float *x, int k, const float *w, int n, int g0, int g1, float *y) {
    float out[F32_ROWS];
    for (int g = g0; g < g1; g++) {
        int valid = n - g * F32_ROWS < F32_ROWS ? n - g * F32_ROWS : F32_ROWS;
        f32_group(w + (int64_t)g * k * F32_ROWS, x, k, out);
        memcpy(y + g * F32_ROWS, out, sizeof(float) * valid);
    }
}

/* y[m, n] = x[m, k] . W^T, W packed as above. */
void tw_f32_matmul(const float *x, int m, int k, const float *w, int n, float *y, int threads) {
    struct f32_job job = {x, w, y, m, k, n};
    int groups = (n + F32_ROWS - 1) / F32_ROWS;
    tw_parallel(f32_chunk, &job, (groups + F32_CHUNK_GROUPS - 1) / F32_CHUNK_GROUPS, threads);
}
