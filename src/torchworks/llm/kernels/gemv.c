/* Batch-1 decoding fp32 matmul for CPUs: y[m, n] = sum_k x[m, k] * W[n, k], W row-major.
 *
 * Decoding one token reads every weight once, so these kernels stream W's rows and keep x in
 * L1: the rows of a thread's share are read once whatever M is (each row is reused for every
 * x row while it is in cache). Threads claim chunks of rows from pool.c's work counter.
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

#define CHUNK_ROWS 32 /* rows a thread claims at a time (a multiple of 4) */

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

/* Dot products of rows w0..w3 (stride ldw) with x, into out[0..3]. */
static void dot4_f32(const float *w, int64_t ldw, const float *x, int k, float *out) {
    const float *w0 = w, *w1 = w + ldw, *w2 = w + 2 * ldw, *w3 = w + 3 * ldw;
    int i = 0;
#if defined(__AVX512F__)
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (; i + 16 <= k; i += 16) {
        __m512 xv = _mm512_loadu_ps(x + i);
        a0 = _mm512_fmadd_ps(_mm512_loadu_ps(w0 + i), xv, a0);
        a1 = _mm512_fmadd_ps(_mm512_loadu_ps(w1 + i), xv, a1);
        a2 = _mm512_fmadd_ps(_mm512_loadu_ps(w2 + i), xv, a2);
        a3 = _mm512_fmadd_ps(_mm512_loadu_ps(w3 + i), xv, a3);
    }
    if (i < k) {
        __mmask16 m = (__mmask16)((1u << (k - i)) - 1);
        __m512 xv = _mm512_maskz_loadu_ps(m, x + i);
        a0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, w0 + i), xv, a0);
        a1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, w1 + i), xv, a1);
        a2 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, w2 + i), xv, a2);
        a3 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, w3 + i), xv, a3);
        i = k;
    }
    out[0] = _mm512_reduce_add_ps(a0);
    out[1] = _mm512_reduce_add_ps(a1);
    out[2] = _mm512_reduce_add_ps(a2);
    out[3] = _mm512_reduce_add_ps(a3);
#elif defined(__AVX2__) && defined(__FMA__)
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (; i + 8 <= k; i += 8) {
        __m256 xv = _mm256_loadu_ps(x + i);
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w0 + i), xv, a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(w1 + i), xv, a1);
        a2 = _mm256_fmadd_ps(_mm256_loadu_ps(w2 + i), xv, a2);
        a3 = _mm256_fmadd_ps(_mm256_loadu_ps(w3 + i), xv, a3);
    }
    __m256 acc[4] = {a0, a1, a2, a3};
    for (int r = 0; r < 4; r++) {
        __m128 s = _mm_add_ps(_mm256_castps256_ps128(acc[r]), _mm256_extractf128_ps(acc[r], 1));
        s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        s = _mm_add_ss(s, _mm_movehdup_ps(s));
        out[r] = _mm_cvtss_f32(s);
    }
#else
    out[0] = out[1] = out[2] = out[3] = 0.0f;
#endif
    for (; i < k; i++) {
        out[0] += w0[i] * x[i];
        out[1] += w1[i] * x[i];
        out[2] += w2[i] * x[i];
        out[3] += w3[i] * x[i];
    }
}

static float dot1_f32(const float *w, const float *x, int k) {
    float s = 0.0f;
    for (int i = 0; i < k; i++) s += w[i] * x[i];
    return s;
}

/* Rows [lo, hi) of y = x W^T for all m. */
static void f32_rows(const float *x, int m, int k, const float *w, int lo, int hi, float *y,
                     int n) {
    int r = lo;
    float out[4];
    for (; r + 4 <= hi; r += 4) {
        for (int j = 0; j < m; j++) {
            dot4_f32(w + (int64_t)r * k, k, x + (int64_t)j * k, k, out);
            memcpy(y + (int64_t)j * n + r, out, sizeof out);
        }
    }
    for (; r < hi; r++)
        for (int j = 0; j < m; j++)
            y[(int64_t)j * n + r] = dot1_f32(w + (int64_t)r * k, x + (int64_t)j * k, k);
}

struct f32_job {
    const float *x, *w;
    float *y;
    int m, k, n;
};

static void f32_chunk(void *ctx, int chunk) {
    struct f32_job *j = ctx;
    int lo = chunk * CHUNK_ROWS, hi = lo + CHUNK_ROWS < j->n ? lo + CHUNK_ROWS : j->n;
    f32_rows(j->x, j->m, j->k, j->w, lo, hi, j->y, j->n);
}

void tw_f32_matmul(const float *x, int m, int k, const float *w, int n, float *y, int threads) {
    struct f32_job job = {x, w, y, m, k, n};
    tw_parallel(f32_chunk, &job, (n + CHUNK_ROWS - 1) / CHUNK_ROWS, threads);
}
